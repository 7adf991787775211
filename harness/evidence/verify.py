"""Verify an evidence bundle offline: files against the manifest chain, the signature, and the verdict itself,
recomputed by running the suite's checks again on the recorded observations.

Integrity and trust are separate from the verdict: a bundle is VERIFIED only when it is intact, its
signature is canonical and good, and either the key that signed it is one the reader trusts (never merely
the key the bundle carries) or a kommune whose key the reader trusts attested it (ATTESTED:
harness/evidence/verify_attestation.py); the verdict it proves (PASSED or FAILED) is reported beside that.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography.exceptions import InvalidSignature
from testkommune.harness.certify.registry import CHECKS, evaluate
from testkommune.harness.evidence import manifest, signing
from testkommune.harness.evidence.codec import observation_from_json
from testkommune.harness.evidence.verify_attestation import check_attestation

UNLISTED_OK = {"manifest.json", "manifest.sig", "attestation.json"}
_CANONICAL_SIG = re.compile(rb"[A-Za-z0-9+/]{86}==\n")
"""An Ed25519 signature (64 bytes) in base64 and one newline: exactly what `write_bundle` writes."""


@dataclass
class VerifyReport:
    bundle: Path
    problems: list[str] = field(default_factory=list)
    """Integrity problems: a changed, added or missing file, a broken chain or signature, a verdict that
    does not recompute. Any one of them and the bundle proves nothing."""
    verdict_recorded: str | None = None
    verdict_recomputed: str | None = None
    certificate: bool = False
    fingerprint: str | None = None
    """The fingerprint of the key that signed the manifest (read from the bundle; trusted or not)."""
    trusted: bool = False
    """The signing key is one the reader trusts (`--public-key`, a trust file, a kommune's published key)."""
    scenarios: int = 0
    attested: bool = False
    """A kommune whose key the reader trusts attested this bundle, and every observation's journal is what
    it attested."""
    attested_by: str | None = None
    attestation_note: str = ""
    """Why the bundle is UNATTESTED."""
    journal_entries: int = 0
    """Journal entries in the observations, each checked against the attestation."""
    unobserved: int = 0
    """Attested journal entries in no observation (made after the last look, or left out)."""

    @property
    def valid(self) -> bool:
        """Intact and self-consistent (says nothing about who signed it: see `verified`)."""
        return not self.problems

    @property
    def verified(self) -> bool:
        return self.valid and (self.trusted or self.attested)

    @property
    def attestation(self) -> str:
        return "ATTESTED" if self.attested else "UNATTESTED"

    @property
    def status(self) -> str:
        if not self.valid:
            return "NOT VERIFIED"
        return "VERIFIED" if self.verified else "UNTRUSTED"


def verify_bundle(bundle: Path, trusted: Collection[str] = ()) -> VerifyReport:
    """Check `bundle`; `trusted` holds the fingerprints (`ed25519:<hex>`) of the keys the reader trusts."""
    report = VerifyReport(bundle)
    if bundle.name.endswith(".partial") or not (bundle / "manifest.json").is_file():
        report.problems.append(f"{bundle}: incomplete bundle (no manifest): it was never finished")
        return report
    manifest_bytes = (bundle / "manifest.json").read_bytes()
    try:
        document = json.loads(manifest_bytes)
        entries = _entries(document)
    except (json.JSONDecodeError, ValueError) as exc:
        report.problems.append(f"manifest.json: not a manifest ({exc})")
        return report
    _check_files(bundle, document, entries, report)
    _check_signature(bundle, manifest_bytes, document, report)
    report.trusted = report.fingerprint is not None and report.fingerprint in set(trusted)
    if not report.problems:
        check_attestation(bundle, manifest_bytes, entries, set(trusted), report)
    if not report.problems:
        try:
            _recompute(bundle, entries, report)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            report.problems.append(f"the verdict cannot be recomputed ({type(exc).__name__}: {exc})")
    return report


def _entries(document: Any) -> list[dict[str, Any]]:
    entries = document.get("entries") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("path"), str) and isinstance(e.get("sha256"), str)
        for e in entries
    ):
        raise ValueError("entries must be a list of {path, sha256, ...}")
    return entries


def confined(bundle: Path, path: str) -> str | None:
    """Why `path` (from the manifest) does not name a plain file inside `bundle`, or None when it does."""
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or "\\" in path or ".." in pure.parts or path.startswith("/"):
        return "a path outside the bundle"
    target = bundle / path
    if target.is_symlink() or not target.resolve().is_relative_to(bundle.resolve()):
        return "a path outside the bundle (or a link)"
    return None


def _check_files(
    bundle: Path, document: dict[str, Any], entries: list[dict[str, Any]], report: VerifyReport
) -> None:
    previous = manifest.chain_start()
    listed = set()
    for item in entries:
        path = item["path"]
        outside = confined(bundle, path)
        if outside is not None or path in listed or path in UNLISTED_OK:
            report.problems.append(f"manifest.json: {path!r} is {outside or 'listed twice or reserved'}")
            continue
        listed.add(path)
        if item.get("chain") != manifest.link(previous, path, item["sha256"]):
            report.problems.append(f"manifest.json: the hash chain breaks at {path}")
        previous = item.get("chain", "")
        target = bundle / path
        if not target.is_file():
            report.problems.append(f"{path}: listed in the manifest but missing")
            continue
        data = target.read_bytes()
        if manifest.sha256(data) != item["sha256"]:
            report.problems.append(f"{path}: content changed{_where(data, item)}")
    if previous != document.get("head"):
        report.problems.append("manifest.json: the chain's head does not match")
    for found in sorted(bundle.rglob("*")):
        path = found.relative_to(bundle).as_posix()
        if (found.is_file() or found.is_symlink()) and path not in listed and path not in UNLISTED_OK:
            report.problems.append(f"{path}: not in the manifest (added after signing)")


def _where(data: bytes, item: dict[str, Any]) -> str:
    lines = data.split(b"\n")
    known = item.get("lines")
    if not isinstance(known, list) or not known:
        return ""
    for number, (line, digest) in enumerate(zip(lines, known, strict=False), start=1):
        if manifest.sha256(line)[:16] != digest:
            return f" at line {number}"
    return f" (line count {len(lines)} instead of {len(known)})" if len(lines) != len(known) else ""


def _check_signature(
    bundle: Path, manifest_bytes: bytes, document: dict[str, Any], report: VerifyReport
) -> None:
    """The signature file must be canonical (no byte may change unnoticed) and good for the bundle's key,
    whose fingerprint the signed manifest names. Whether that key is trusted is decided by the caller."""
    try:
        key = signing.load_public((bundle / "public_key.pem").read_bytes())
        raw = (bundle / "manifest.sig").read_bytes()
    except (OSError, ValueError) as exc:
        report.problems.append(f"manifest.sig: cannot check the signature ({exc})")
        return
    report.fingerprint = signing.fingerprint(key)
    try:
        signature = base64.b64decode(raw[:-1], validate=True) if _CANONICAL_SIG.fullmatch(raw) else b""
    except binascii.Error:
        signature = b""
    if base64.b64encode(signature) + b"\n" != raw:
        report.problems.append("manifest.sig: not one canonical base64 Ed25519 signature and a newline")
        return
    if document.get("key_fingerprint") != report.fingerprint:
        report.problems.append("manifest.json: names another signing key than public_key.pem holds")
    try:
        key.verify(signature, manifest_bytes)
    except InvalidSignature:
        report.problems.append("manifest.sig: the signature does not match manifest.json")


def _recompute(bundle: Path, entries: list[dict[str, Any]], report: VerifyReport) -> None:
    """Run the checks again on every recorded observation; the verdict must come out the same."""
    run = json.loads((bundle / "run.json").read_text(encoding="utf-8"))
    report.verdict_recorded = run["verdict"]
    failed: dict[str, bool] = {s["scenario_id"]: s["outcome"] == "error" for s in run["scenarios"]}
    outside = {s["scenario_id"] for s in run["scenarios"] if s["outcome"] == "not_supported"}  # not certified
    for item in entries:
        if item["path"].startswith("observations/"):
            _recompute_step(bundle, item["path"], failed, report)
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


def _recompute_step(bundle: Path, path: str, failed: dict[str, bool], report: VerifyReport) -> None:
    step = json.loads((bundle / path).read_text(encoding="utf-8"))
    unknown = [e for e in step["expectations"] if (e if isinstance(e, str) else next(iter(e))) not in CHECKS]
    if unknown:
        report.problems.append(f"{path}: checks unknown to this testkommune: {unknown}")
        return
    recomputed = evaluate(step["expectations"], observation_from_json(step["observation"]))
    mine = [(f.check, f.code, f.field) for f in recomputed]
    theirs = [(f["check"], f["code"], f["field"]) for f in step["failures"]]
    if mine != theirs:
        report.problems.append(f"{path}: recomputed failures {mine} differ from recorded {theirs}")
    failed[step["scenario_id"]] = failed.get(step["scenario_id"], False) or bool(recomputed)
