"""Issue 14: a vendor's bundle from `certify --url` against a shared, closed test kommune is attested by the
kommune, so a reader who trusts only the kommune's key can check it; a bundle without it, or one whose
observations were changed after (or before) the kommune attested, never comes out VERIFIED.

Everything through the CLI: `testkommune serve` on 127.0.0.1 with an access file and its own evidence key,
`certify --url` with the vendor's token and the vendor's key, `key --url`, `verify --public-key`.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml
from testkommune.harness.evidence.attest import manifest_hash, write_attestation
from testkommune.simulators.access import digest

from tests.test_evidence import run_cli
from tests.test_evidence_trust import _resign as _resign_all

ROOT = Path(__file__).resolve().parents[1]
OPERATOR = "operator-secret-attest-0123456789"
VENDOR = "vendor-secret-attest-0123456789"
ACCESS = {
    "admin": [{"token_sha256": digest(OPERATOR)}],
    "serviceaftaler": [{"anvendersystem": "vendor-a", "token": VENDOR, "kommuner": ["851"], "admin": True}],
}
BUNDLE = "basis-foraeldrebetaling.bevis"
EXIT_VERIFIED_PASSED, EXIT_NOT_VERIFIED = 0, 3


@pytest.fixture(scope="module")
def kommune(tmp_path_factory) -> Iterator[str]:
    """`testkommune serve` on 127.0.0.1: closed by an access file, its evidence key its own."""
    root = tmp_path_factory.mktemp("kommune")
    (root / "access.yaml").write_text(yaml.safe_dump(ACCESS), "utf-8")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "testkommune.harness", "serve", "--port", str(port)]
    command += ["--db", f"sqlite:///{root / 'state.db'}", "--access", "access.yaml"]
    command += ["--signing-key", "kommune-key.pem", "--log-level", "warning"]
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base_url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else "serve exited"
            try:
                if requests.get(f"{base_url}/admin/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def run(kommune: str, tmp_path_factory) -> tuple[Path, Path, Path]:
    """A vendor's run of two scenarios (two resets) against the kommune: its bundle, the vendor's key file
    and the kommune's public key as `testkommune key --url` prints it."""
    vendor = tmp_path_factory.mktemp("vendor")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TESTKOMMUNE_")}
    env |= {"PYTHONPATH": str(ROOT), "TESTKOMMUNE_TOKEN": VENDOR, "NO_COLOR": "1", "COLUMNS": "200"}
    command = [sys.executable, "-m", "testkommune.harness", "certify", "--fagsystem", "reference"]
    command += ["--url", kommune, "--system", "vendor-a", "--scenario", "BASIS-01", "--scenario", "BASIS-02"]
    command += ["--signing-key", "vendor-key.pem", "--report-dir", "reports"]
    certified = subprocess.run(command, cwd=vendor, env=env, capture_output=True, text=True, timeout=300)
    assert certified.returncode == 0, certified.stdout[-3000:] + certified.stderr[-3000:]
    assert "evidence attested by the test kommune's key ed25519:" in certified.stdout, certified.stdout[-999:]
    published = run_cli("key", "--url", kommune, cwd=vendor)
    assert published.returncode == 0, published.stdout + published.stderr
    pem = published.stdout[published.stdout.index("-----BEGIN") :]
    (vendor / "kommune.pem").write_text(pem, "utf-8")
    return vendor / "reports" / BUNDLE, vendor / "vendor-key.pem", vendor / "kommune.pem"


def _verify(bundle: Path, *keys: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    options = [item for key in keys for item in ("--public-key", str(key))]
    return run_cli("verify", str(bundle), *options, cwd=cwd)


def _copy(bundle: Path, into: Path) -> Path:
    return Path(shutil.copytree(bundle, into / BUNDLE))


def _public(vendor_key: Path, into: Path) -> Path:
    from testkommune.harness.evidence.signing import load_or_create, public_pem

    path = into / "vendor.pem"
    path.write_bytes(public_pem(load_or_create(vendor_key).public_key()))
    return path


def _resign(bundle: Path, key: Path) -> None:
    """Re-sign the bundle with `key` as a forger does; the attestation stays outside the manifest."""
    kept = bundle.parent / "attestation.json.kept"
    attestation = bundle / "attestation.json"
    if attestation.exists():
        attestation.replace(kept)
    _resign_all(bundle, key)
    if kept.exists():
        kept.replace(attestation)


def _alter_an_exchange(bundle: Path) -> str:
    """Change one journalled exchange in an observation (its real time: no check reads it, so the verdict
    still recomputes); returns the file changed."""
    for path in sorted((bundle / "observations").rglob("*.json")):
        step = json.loads(path.read_text("utf-8"))
        if step["observation"]["journal"]:
            step["observation"]["journal"][0]["real_time"] = "2026-01-01T00:00:00+01:00"
            path.write_text(json.dumps(step, ensure_ascii=False, indent=2, sort_keys=True) + "\n", "utf-8")
            return path.relative_to(bundle).as_posix()
    raise AssertionError("no observation holds a journal entry")


def test_an_attested_bundle_verifies_against_the_kommunes_key_alone(run, tmp_path):
    bundle, _vendor_key, kommune_pem = run
    result = _verify(bundle, kommune_pem, cwd=tmp_path)
    assert result.returncode == EXIT_VERIFIED_PASSED, result.stdout + result.stderr
    assert "integrity: VERIFIED, ATTESTED" in result.stdout
    assert "attestation: ATTESTED" in result.stdout and "verdict: PASSED" in result.stdout
    assert "the journal in every observation is what the kommune attested" in result.stdout


def test_without_its_attestation_the_bundle_is_unattested_and_never_plainly_verified(run, tmp_path):
    bundle, vendor_key, kommune_pem = run
    copy = _copy(bundle, tmp_path)
    (copy / "attestation.json").unlink()
    result = _verify(copy, kommune_pem, cwd=tmp_path)
    assert result.returncode == EXIT_NOT_VERIFIED, result.stdout
    assert "integrity: UNTRUSTED" in result.stdout and "attestation: UNATTESTED" in result.stdout
    assert "VERIFIED" not in result.stdout.replace("UNTRUSTED", "").replace("NOT VERIFIED", "")
    both = _verify(copy, kommune_pem, _public(vendor_key, tmp_path), cwd=tmp_path)  # the vendor's key too
    assert both.returncode == EXIT_VERIFIED_PASSED, both.stdout
    assert "integrity: VERIFIED, UNATTESTED" in both.stdout and "integrity: VERIFIED\n" not in both.stdout


def test_observations_changed_after_the_attestation_are_caught(run, tmp_path):
    bundle, vendor_key, kommune_pem = run
    copy = _copy(bundle, tmp_path)
    _alter_an_exchange(copy)
    _resign(copy, vendor_key)  # the vendor's own key signs the changed bundle: intact by itself
    result = _verify(copy, kommune_pem, cwd=tmp_path)
    assert result.returncode == EXIT_NOT_VERIFIED, result.stdout
    assert "attests another manifest than this bundle's" in result.stdout
    assert "integrity: NOT VERIFIED" in result.stdout


def test_an_exchange_changed_before_the_kommune_attests_is_caught(run, kommune, tmp_path):
    """The stronger forgery: the changed bundle is re-signed and then attested afresh (the kommune's record
    is still there), so the manifest matches; the journal the kommune holds does not."""
    bundle, vendor_key, kommune_pem = run
    copy = _copy(bundle, tmp_path)
    changed = _alter_an_exchange(copy)
    (copy / "attestation.json").unlink()
    _resign(copy, vendor_key)
    answer = requests.post(
        f"{kommune}/admin/tenants/851/vendor-a/attestation",
        json={"manifest_sha256": manifest_hash(copy)},
        headers={"Authorization": f"Bearer {VENDOR}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    write_attestation(copy, answer.json())
    result = _verify(copy, kommune_pem, cwd=tmp_path)
    assert result.returncode == EXIT_NOT_VERIFIED, result.stdout
    assert f"the journal in {changed} is not what the kommune attested" in result.stdout


def test_the_attestation_routes_are_the_vendors_own(kommune):
    other = requests.post(
        f"{kommune}/admin/tenants/851/vendor-b/attestation/start",
        headers={"Authorization": f"Bearer {VENDOR}"},
        timeout=30,
    )
    assert other.status_code == 401
    anonymous = requests.post(f"{kommune}/admin/tenants/851/vendor-a/attestation/start", timeout=30)
    assert anonymous.status_code == 401
