"""Write an evidence bundle: statement, result, every observation, certificate, signed manifest.

CPR numbers are written as pseudonyms (harness/evidence/pseudonym.py), the same number always the same one.

The bundle is written into `<name>.partial/` and renamed only when complete, so a crash never leaves a
bundle that verifies; a leftover `.partial` folder says it is incomplete.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from testkommune.harness import __version__
from testkommune.harness.certify.events import Event, ExpectationEvaluated, RunFinished
from testkommune.harness.certify.results import RunResult
from testkommune.harness.evidence import manifest, signing
from testkommune.harness.evidence.codec import observation_to_json
from testkommune.harness.evidence.pseudonym import Pseudonymiser

BUNDLE_SUFFIX = ".bevis"


@dataclass
class EvidenceRecorder:
    """An event consumer that keeps every evaluated expectation of a run."""

    steps: list[ExpectationEvaluated] = field(default_factory=list)
    result: RunResult | None = None

    def handle(self, event: Event) -> None:
        if isinstance(event, ExpectationEvaluated):
            self.steps.append(event)
        elif isinstance(event, RunFinished):
            self.result = event.result


def _dump(path: Path, document: Any, pseudonyms: Pseudonymiser) -> None:
    """Write `document` as JSON, every CPR number in it pseudonymised."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    path.write_text(pseudonyms.text(text), encoding="utf-8")


def statement_of(result: RunResult, *, vendor: str, role: str, suites: list[str]) -> dict[str, Any]:
    """The conformance statement: who, what, in which role, against which suites and contract versions."""
    return {
        "vendor": vendor,
        "fagsystem": result.fagsystem,
        "fagsystem_version": result.fagsystem_version,
        "anvendersystem": result.system,
        "kommune": result.kommune,
        "role": role,
        "suites": suites,
        "contracts_version": result.contracts_version,
        "harness_version": __version__,
        "driver": result.driver,
        "seed": result.seed,
        "declared": result.conformance,  # the role and business events the fagsystem says it handles
    }


def bindings_used(recorder: EvidenceRecorder) -> list[str]:
    """How the fagsystem spoke to the test kommune in this run (`json`, `soap` or both): the binding of
    every exchange it sent, as the observations record it."""
    used = set()
    for step in recorder.steps:
        observation = step.observation
        for entry in observation.journal:
            if entry["method"] == "POST" and entry["counterpart"] != "soap":
                used.add(observation.binding_of(entry))
    return sorted(used)


def certificate_of(result: RunResult, statement: dict[str, Any]) -> dict[str, Any] | None:
    """A certificate only when every required scenario passed; it names its scope and contract version."""
    if not result.passed:
        return None
    return {
        "issued_to": statement["vendor"],
        "fagsystem": result.fagsystem,
        "fagsystem_version": result.fagsystem_version,
        "role": statement["role"],
        "scope": {
            "suites": statement["suites"],
            "scenarios": [s.scenario_id for s in result.scenarios if s.outcome == "passed"],
            "not_certified": [  # outside what the fagsystem declared: NOT SUPPORTED, not certified
                {"scenario": s.scenario_id, "reason": s.error}
                for s in result.scenarios
                if s.outcome == "not_supported"
            ],
        },
        "valid_for_contracts_version": result.contracts_version,
        "issued_at": result.finished_at,
        "seed": result.seed,
    }


def write_bundle(
    recorder: EvidenceRecorder, directory: Path, *, key: Ed25519PrivateKey, vendor: str, role: str
) -> Path:
    """Write the bundle for the recorded run into `directory` (a `<name>.bevis` folder); returns its path."""
    result = recorder.result
    if result is None:
        raise ValueError("the run has not finished: there is nothing to bundle")
    final = (
        directory
        if directory.name.endswith(BUNDLE_SUFFIX)
        else directory.with_name(directory.name + BUNDLE_SUFFIX)
    )
    partial = final.with_name(final.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    statement = statement_of(result, vendor=vendor, role=role, suites=[result.suite_id])
    statement["bindings"] = bindings_used(recorder)
    files = ["statement.json", "run.json"]
    pseudonyms = Pseudonymiser.for_signing_key(key)
    _dump(partial / "statement.json", statement, pseudonyms)
    _dump(partial / "run.json", result.as_dict(), pseudonyms)
    for step in recorder.steps:
        relative = f"observations/{step.scenario_id}/step-{step.step:03d}.json"
        _dump(
            partial / relative,
            {
                "scenario_id": step.scenario_id,
                "step": step.step,
                "expectations": step.expectations,
                "observation": observation_to_json(step.observation),
                "failures": [f.as_dict() for f in step.failures],
            },
            pseudonyms,
        )
        files.append(relative)
    certificate = certificate_of(result, statement)
    if certificate is not None:
        _dump(partial / "certificate.json", certificate, pseudonyms)
        files.append("certificate.json")
    public = key.public_key()
    (partial / "public_key.pem").write_bytes(signing.public_pem(public))
    files.append("public_key.pem")
    document = manifest.build(partial, files) | {"key_fingerprint": signing.fingerprint(public)}
    manifest_bytes = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()
    (partial / "manifest.json").write_bytes(manifest_bytes)
    (partial / "manifest.sig").write_text(base64.b64encode(key.sign(manifest_bytes)).decode() + "\n")
    _fsync_tree(partial)
    shutil.rmtree(final, ignore_errors=True)
    partial.replace(final)
    return final


def _fsync_tree(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
