"""Verify an evidence bundle offline: files against the manifest chain, the signature, and the verdict itself,
recomputed by running the suite's checks again on the recorded observations."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from testkommune.harness.certify.checks import CHECKS, evaluate
from testkommune.harness.evidence import manifest, signing
from testkommune.harness.evidence.codec import observation_from_json

UNLISTED_OK = {"manifest.json", "manifest.sig"}


@dataclass
class VerifyReport:
    bundle: Path
    problems: list[str] = field(default_factory=list)
    verdict_recorded: str | None = None
    verdict_recomputed: str | None = None
    certificate: bool = False
    fingerprint: str | None = None
    scenarios: int = 0

    @property
    def valid(self) -> bool:
        return not self.problems


def verify_bundle(bundle: Path, public_key_pem: bytes | None = None) -> VerifyReport:
    report = VerifyReport(bundle)
    if bundle.name.endswith(".partial") or not (bundle / "manifest.json").is_file():
        report.problems.append(f"{bundle}: incomplete bundle (no manifest): it was never finished")
        return report
    manifest_bytes = (bundle / "manifest.json").read_bytes()
    try:
        document = json.loads(manifest_bytes)
    except json.JSONDecodeError as exc:
        report.problems.append(f"manifest.json: not JSON ({exc})")
        return report
    _check_files(bundle, document, report)
    _check_signature(bundle, manifest_bytes, document, public_key_pem, report)
    if not report.problems:
        _recompute(bundle, document, report)
    return report


def _check_files(bundle: Path, document: dict[str, Any], report: VerifyReport) -> None:
    previous = manifest.chain_start()
    listed = set()
    for item in document.get("entries", []):
        path = item["path"]
        listed.add(path)
        target = bundle / path
        expected_link = manifest.link(previous, path, item["sha256"])
        if item.get("chain") != expected_link:
            report.problems.append(f"manifest.json: the hash chain breaks at {path}")
        previous = item.get("chain", "")
        if not target.is_file():
            report.problems.append(f"{path}: listed in the manifest but missing")
            continue
        data = target.read_bytes()
        if manifest.sha256(data) != item["sha256"]:
            report.problems.append(f"{path}: content changed{_where(data, item)}")
    if previous != document.get("head"):
        report.problems.append("manifest.json: the chain's head does not match")
    for path in sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()):
        if path not in listed and path not in UNLISTED_OK:
            report.problems.append(f"{path}: not in the manifest (added after signing)")


def _where(data: bytes, item: dict[str, Any]) -> str:
    lines = data.split(b"\n")
    known = item.get("lines")
    if not known:
        return ""
    for number, (line, digest) in enumerate(zip(lines, known, strict=False), start=1):
        if manifest.sha256(line)[:16] != digest:
            return f" at line {number}"
    return f" (line count {len(lines)} instead of {len(known)})" if len(lines) != len(known) else ""


def _check_signature(
    bundle: Path, manifest_bytes: bytes, document: dict[str, Any], pinned: bytes | None, report: VerifyReport
) -> None:
    try:
        key = signing.load_public(pinned or (bundle / "public_key.pem").read_bytes())
        signature = base64.b64decode((bundle / "manifest.sig").read_text().strip(), validate=True)
    except (OSError, ValueError, binascii.Error) as exc:
        report.problems.append(f"manifest.sig: cannot check the signature ({exc})")
        return
    report.fingerprint = signing.fingerprint(key)
    if document.get("key_fingerprint") != report.fingerprint:
        report.problems.append("manifest.json: signed with another key than the one given")
    try:
        key.verify(signature, manifest_bytes)
    except InvalidSignature:
        report.problems.append("manifest.sig: the signature does not match manifest.json")


def _recompute(bundle: Path, document: dict[str, Any], report: VerifyReport) -> None:
    """Run the checks again on every recorded observation; the verdict must come out the same."""
    run = json.loads((bundle / "run.json").read_text(encoding="utf-8"))
    report.verdict_recorded = run["verdict"]
    failed: dict[str, bool] = {s["scenario_id"]: s["outcome"] == "error" for s in run["scenarios"]}
    outside = {s["scenario_id"] for s in run["scenarios"] if s["outcome"] == "not_supported"}  # not certified
    for item in document["entries"]:
        if not item["path"].startswith("observations/"):
            continue
        step = json.loads((bundle / item["path"]).read_text(encoding="utf-8"))
        unknown = [
            e for e in step["expectations"] if (e if isinstance(e, str) else next(iter(e))) not in CHECKS
        ]
        if unknown:
            report.problems.append(f"{item['path']}: checks unknown to this testkommune: {unknown}")
            continue
        recomputed = evaluate(step["expectations"], observation_from_json(step["observation"]))
        mine = [(f.check, f.code, f.field) for f in recomputed]
        theirs = [(f["check"], f["code"], f["field"]) for f in step["failures"]]
        if mine != theirs:
            report.problems.append(
                f"{item['path']}: recomputed failures {mine} differ from recorded {theirs}"
            )
        failed[step["scenario_id"]] = failed.get(step["scenario_id"], False) or bool(recomputed)
    for scenario_id in outside:
        failed.pop(scenario_id, None)
    report.scenarios = len(failed)
    report.verdict_recomputed = "PASSED" if failed and not any(failed.values()) else "FAILED"
    for scenario in [s for s in run["scenarios"] if s["scenario_id"] not in outside]:
        outcome = "passed" if not failed.get(scenario["scenario_id"]) else scenario["outcome"]
        if (outcome == "passed") != (scenario["outcome"] == "passed"):
            report.problems.append(
                f"run.json: scenario {scenario['scenario_id']} recorded {scenario['outcome']}, "
                "recomputed otherwise"
            )
    if report.verdict_recomputed != report.verdict_recorded:
        report.problems.append(
            f"run.json: verdict {report.verdict_recorded} but the evidence gives {report.verdict_recomputed}"
        )
    report.certificate = (bundle / "certificate.json").is_file()
    if report.certificate and report.verdict_recomputed != "PASSED":
        report.problems.append("certificate.json: a certificate for a run that did not pass")
