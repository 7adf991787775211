"""Evidence bundles: verify accepts an untouched bundle, and names where a single changed byte is."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from testkommune.harness.evidence import manifest, verify_bundle
from testkommune.harness.evidence.signing import fingerprint, load_or_create, public_pem

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PYTHONPATH": str(ROOT), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "testkommune.harness", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> Path:
    """One passing and one failing certification, bundled (made once; tests copy before tampering)."""
    root = tmp_path_factory.mktemp("evidence")
    assert (
        run_cli("certify", "--fagsystem", "reference", "--vendor", "Reference ApS", cwd=root).returncode == 0
    )
    assert run_cli("certify", "--fagsystem", "nyt-id-ved-genforsoeg", cwd=root).returncode == 1
    return root


def _copy(src: Path, dst: Path) -> Path:
    subprocess.run(["cp", "-r", str(src), str(dst)], check=True)
    return dst


def test_an_untouched_bundle_verifies_and_its_verdict_recomputes(bundles):
    bundle = bundles / "testkommune-reports" / "basis-foraeldrebetaling.bevis"
    result = run_cli("verify", str(bundle), cwd=bundles)
    assert result.returncode == 0, result.stdout
    assert (
        "verdict recomputed from the evidence: PASSED" in result.stdout
        and "certificate: issued" in result.stdout
    )
    certificate = json.loads((bundle / "certificate.json").read_text("utf-8"))
    assert certificate["valid_for_contracts_version"] and certificate["scope"]["suites"] == ["basis"]
    statement = json.loads((bundle / "statement.json").read_text("utf-8"))
    assert statement["vendor"] == "Reference ApS" and statement["role"].startswith("fagsystem")


def test_a_failed_run_is_bundled_without_a_certificate(bundles):
    bundle = bundles / "testkommune-reports" / "basis-foraeldrebetaling-nyt-id-ved-genforsoeg.bevis"
    report = verify_bundle(bundle)
    assert report.valid, report.problems
    assert (report.verdict_recorded, report.verdict_recomputed, report.certificate) == (
        "FAILED",
        "FAILED",
        False,
    )


def test_one_changed_byte_is_found_and_named(bundles, tmp_path):
    bundle = _copy(bundles / "testkommune-reports" / "basis-foraeldrebetaling.bevis", tmp_path / "b.bevis")
    target = bundle / "observations" / "BASIS-01" / "step-009.json"
    data = bytearray(target.read_bytes())
    at = data.index(b'"UDFOERT"') + 2
    data[at] = ord("X")  # one byte: UDFOERT → UXFOERT
    target.write_bytes(bytes(data))
    line = data[:at].count(b"\n") + 1
    result = run_cli("verify", str(bundle), cwd=tmp_path)
    assert result.returncode == 3  # not verified (harness/evidence/command.py)
    assert f"observations/BASIS-01/step-009.json: content changed at line {line}" in result.stdout
    assert "NOT VERIFIED" in result.stdout


def test_a_re_signed_forgery_fails_against_the_pinned_key(bundles, tmp_path):
    """Edit run.json, rebuild the manifest, sign with one's own key: the recomputed verdict and the pinned key
    both catch it."""
    bundle = _copy(
        bundles / "testkommune-reports" / "basis-foraeldrebetaling-nyt-id-ved-genforsoeg.bevis",
        tmp_path / "f.bevis",
    )
    run = json.loads((bundle / "run.json").read_text("utf-8"))
    run["verdict"] = "PASSED"
    (bundle / "run.json").write_text(json.dumps(run), "utf-8")
    forger = load_or_create(tmp_path / "forger.pem")
    (bundle / "public_key.pem").write_bytes(public_pem(forger.public_key()))
    files = [e["path"] for e in json.loads((bundle / "manifest.json").read_text("utf-8"))["entries"]]
    document = manifest.build(bundle, files) | {"key_fingerprint": fingerprint(forger.public_key())}
    raw = (json.dumps(document, indent=2) + "\n").encode()
    (bundle / "manifest.json").write_bytes(raw)
    (bundle / "manifest.sig").write_text(base64.b64encode(forger.sign(raw)).decode() + "\n")
    self_consistent = verify_bundle(bundle)
    assert any("verdict PASSED but the evidence gives FAILED" in p for p in self_consistent.problems)
    real_key = load_or_create(bundles / ".testkommune" / "signing-key.pem")  # made by the certify runs
    pinned = verify_bundle(bundle, {fingerprint(real_key.public_key())})
    assert not pinned.trusted and pinned.status == "NOT VERIFIED"


def test_an_unfinished_bundle_never_verifies(tmp_path):
    partial = tmp_path / "x.bevis.partial"
    partial.mkdir()
    (partial / "run.json").write_text("{}", "utf-8")
    report = verify_bundle(partial)
    assert not report.valid and "incomplete" in report.problems[0]


def test_an_added_file_is_named(bundles, tmp_path):
    bundle = _copy(bundles / "testkommune-reports" / "basis-foraeldrebetaling.bevis", tmp_path / "a.bevis")
    (bundle / "extra.json").write_text("{}", "utf-8")
    assert "extra.json: not in the manifest (added after signing)" in verify_bundle(bundle).problems
