"""A fagsystem that speaks SOAP: the evidence records the binding of each exchange, the reports show the
envelope as it was sent, and `verify` still recomputes the verdict from the bundle."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import requests
from testkommune.contracts.driver import KommuneConnection
from testkommune.harness.certify.runner import Runner
from testkommune.harness.certify.suite import load_suite
from testkommune.harness.commands.certify import write_all
from testkommune.harness.evidence import EvidenceRecorder, verify_bundle
from testkommune.scenarios.fagsystemer import VARIANTS

from tests.soap_fagsystem import ZeepAdapter

VARIANT = "s2s-regu-med-virkningsdato"  # PSRM refuses its REGU write-down with a virkningsdato (519)


def _certify(kommune, tmp_path: Path, *, soap: bool) -> tuple[dict, Path]:
    session = None
    if soap:
        session = requests.Session()
        session.mount("http://", ZeepAdapter())
    recorder = EvidenceRecorder()
    connection = KommuneConnection(kommune.base_url, "851", f"ev-{'soap' if soap else 'json'}")
    runner = Runner(
        load_suite("livsforloeb"), VARIANTS[VARIANT](session=session), connection, handlers=[recorder]
    )
    result = runner.run(only=["LIV-16"])
    key = tmp_path / "key.pem"
    paths = write_all(result, recorder, tmp_path, language="en", vendor="V", role="psrm-s2s", key=key)
    return json.loads(paths["json"].read_text("utf-8")), paths["evidence"]


def _reproduce_of(report: dict, code: str) -> str:
    (scenario,) = report["scenarios"]
    return next(f["reproduce"] for f in scenario["failures"] if f["code"] == code and f.get("reproduce"))


def _bindings(bundle: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for step in sorted((bundle / "observations").rglob("step-*.json")):
        observation = json.loads(step.read_text("utf-8"))["observation"]
        journal = {str(e["id"]): e for e in observation["journal"]}
        for entry_id, binding in observation["bindings"].items():
            found[f"{journal[entry_id]['operation']}#{entry_id}"] = binding
    return found


def test_a_soap_run_reports_the_envelope_as_sent_and_its_evidence_records_soap(kommune, tmp_path):
    report, bundle = _certify(kommune, tmp_path / "soap", soap=True)
    line = _reproduce_of(report, "PSRM-519")
    words = shlex.split(line)
    assert words[words.index("-H") + 1] == "Content-Type: text/xml; charset=utf-8"
    assert words[words.index("-X") + 2] == f"{kommune.base_url}/psrm"  # the SOAP address it went to
    sent = words[words.index("--data") + 1]
    assert (
        sent.startswith("<?xml")
        and "MFFordringIndberet_I" in sent
        and "FordringNedskrivningVirkningFra" in sent
    )

    bindings = _bindings(bundle)
    indberet = {k: v for k, v in bindings.items() if k.startswith("MFFordringIndberet#")}
    assert indberet and set(indberet.values()) == {"soap"}
    assert {v for k, v in bindings.items() if k.startswith("SOAP ")} == {"soap"}

    assert json.loads((bundle / "statement.json").read_text("utf-8"))["bindings"] == ["soap"]
    verified = verify_bundle(bundle)
    assert verified.valid, verified.problems
    assert verified.verdict_recomputed == verified.verdict_recorded == "FAILED"


def test_a_json_run_reports_json_and_its_evidence_records_json(kommune, tmp_path):
    report, bundle = _certify(kommune, tmp_path / "json", soap=False)
    line = _reproduce_of(report, "PSRM-519")
    assert "Content-Type: application/json" in line and line.split("--data ")[1].startswith("'{")
    indberet = {k: v for k, v in _bindings(bundle).items() if k.startswith("MFFordringIndberet#")}
    assert indberet and set(indberet.values()) == {"json"}
    assert json.loads((bundle / "statement.json").read_text("utf-8"))["bindings"] == ["json"]
    assert verify_bundle(bundle).valid
