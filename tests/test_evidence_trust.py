"""Issue 14, finding 1: `verify` trusts a key the reader chose, never the key inside the bundle.

The forged-bundle attack from the issue: a FAILED bundle gets the reference's observations, result and
certificate swapped in and is re-signed with a fresh key; it must never come out VERIFIED. Manifest paths
stay inside the bundle, the signature file is canonical, and integrity and verdict have their own exit codes.
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest
from testkommune.harness.evidence import manifest
from testkommune.harness.evidence.signing import fingerprint, load_or_create, public_pem
from testkommune.harness.server import start_in_thread

from tests.test_evidence import run_cli

PASSED = "basis-foraeldrebetaling.bevis"
FAILED = "basis-foraeldrebetaling-nyt-id-ved-genforsoeg.bevis"
EXIT_VERIFIED_PASSED, EXIT_VERIFIED_FAILED, EXIT_NOT_VERIFIED = 0, 1, 3


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """A passing and a failing run, signed with the key in `made/.testkommune`, and that key's PEM."""
    root = tmp_path_factory.mktemp("trust")
    assert run_cli("certify", "--fagsystem", "reference", cwd=root).returncode == 0
    assert run_cli("certify", "--fagsystem", "nyt-id-ved-genforsoeg", cwd=root).returncode == 1
    key = load_or_create(root / ".testkommune" / "signing-key.pem")
    (root / "kommune.pem").write_bytes(public_pem(key.public_key()))
    return root


def _copy(made: Path, name: str, into: Path) -> Path:
    target = into / name
    shutil.copytree(made / "testkommune-reports" / name, target)
    return target


def _resign(bundle: Path, key_path: Path) -> None:
    """What a forger does: rebuild the manifest over the files and sign it with a key of their own."""
    forger = load_or_create(key_path)
    (bundle / "public_key.pem").write_bytes(public_pem(forger.public_key()))
    files = sorted(
        p.relative_to(bundle).as_posix()
        for p in bundle.rglob("*")
        if p.is_file() and p.name not in ("manifest.json", "manifest.sig")
    )
    document = manifest.build(bundle, files) | {"key_fingerprint": fingerprint(forger.public_key())}
    raw = (json.dumps(document, indent=2) + "\n").encode()
    (bundle / "manifest.json").write_bytes(raw)
    (bundle / "manifest.sig").write_text(base64.b64encode(forger.sign(raw)).decode() + "\n")


def _forge(made: Path, into: Path) -> Path:
    """The attack from the issue: the failing bundle with the passing run's evidence swapped in, re-signed."""
    forged = _copy(made, FAILED, into)
    passing = made / "testkommune-reports" / PASSED
    shutil.rmtree(forged / "observations")
    shutil.copytree(passing / "observations", forged / "observations")
    for name in ("run.json", "certificate.json"):
        shutil.copy(passing / name, forged / name)
    _resign(forged, into / "forger.pem")
    return forged


def test_the_forged_bundle_from_the_issue_is_untrusted_in_a_clean_directory(made, tmp_path):
    forged = _forge(made, tmp_path)
    clean = tmp_path / "reader"
    clean.mkdir()
    result = run_cli("verify", str(forged), cwd=clean)
    assert result.returncode == EXIT_NOT_VERIFIED, result.stdout
    assert "UNTRUSTED" in result.stdout and "VERIFIED\n" not in result.stdout.replace("UNTRUSTED", "")


def test_the_forged_bundle_fails_against_the_kommunes_public_key(made, tmp_path):
    forged = _forge(made, tmp_path)
    result = run_cli("verify", str(forged), "--public-key", str(made / "kommune.pem"), cwd=tmp_path)
    assert result.returncode == EXIT_NOT_VERIFIED, result.stdout
    assert "UNTRUSTED" in result.stdout and "not a key you trust" in result.stdout


def test_the_forged_bundle_fails_where_the_kommunes_own_key_lives(made):
    forged = _forge(made, made / "forgeries")
    result = run_cli("verify", str(forged), cwd=made)  # trusts .testkommune/signing-key.pem
    assert result.returncode == EXIT_NOT_VERIFIED and "UNTRUSTED" in result.stdout


def test_a_genuine_bundle_verifies_against_a_trusted_key_with_separate_exit_codes(made, tmp_path):
    key = str(made / "kommune.pem")
    passed = run_cli("verify", str(made / "testkommune-reports" / PASSED), "--public-key", key, cwd=tmp_path)
    assert passed.returncode == EXIT_VERIFIED_PASSED, passed.stdout
    assert "integrity: VERIFIED" in passed.stdout and "verdict: PASSED" in passed.stdout
    failed = run_cli("verify", str(made / "testkommune-reports" / FAILED), "--public-key", key, cwd=tmp_path)
    assert failed.returncode == EXIT_VERIFIED_FAILED, failed.stdout
    assert "integrity: VERIFIED" in failed.stdout and "verdict: FAILED" in failed.stdout


def test_a_genuine_bundle_without_a_trusted_key_is_untrusted(made, tmp_path):
    result = run_cli("verify", str(made / "testkommune-reports" / PASSED), cwd=tmp_path)
    assert result.returncode == EXIT_NOT_VERIFIED and "UNTRUSTED" in result.stdout


def test_a_trust_file_names_the_keys_a_reader_accepts(made, tmp_path):
    key = load_or_create(made / ".testkommune" / "signing-key.pem")
    trust = tmp_path / "trusted-keys"
    trust.write_text(f"# KOMBIT's test kommune\n{fingerprint(key.public_key())} kommune 851\n", "utf-8")
    bundle = str(made / "testkommune-reports" / PASSED)
    result = run_cli("verify", bundle, "--trust-file", str(trust), cwd=tmp_path)
    assert result.returncode == EXIT_VERIFIED_PASSED, result.stdout
    trust.write_text("ed25519:" + "0" * 64 + "\n", "utf-8")
    assert run_cli("verify", bundle, "--trust-file", str(trust), cwd=tmp_path).returncode == EXIT_NOT_VERIFIED


def test_the_key_a_running_kommune_publishes_is_printed_and_trusted(made, tmp_path):
    key_path = made / ".testkommune" / "signing-key.pem"
    expected = fingerprint(load_or_create(key_path).public_key())
    local = run_cli("key", "--signing-key", str(key_path), cwd=tmp_path)
    assert local.returncode == 0 and expected in local.stdout and "BEGIN PUBLIC KEY" in local.stdout
    with start_in_thread(":memory:", signing_key=key_path) as kommune:
        published = run_cli("key", "--url", kommune.base_url, cwd=tmp_path)
        assert published.returncode == 0 and expected in published.stdout, published.stdout + published.stderr
        bundle = str(made / "testkommune-reports" / PASSED)
        result = run_cli("verify", bundle, "--url", kommune.base_url, cwd=tmp_path)
        assert result.returncode == EXIT_VERIFIED_PASSED, result.stdout + result.stderr
        assert expected in result.stdout
        forged = run_cli("verify", str(_forge(made, tmp_path)), "--url", kommune.base_url, cwd=tmp_path)
        assert forged.returncode == EXIT_NOT_VERIFIED


def test_a_manifest_path_outside_the_bundle_is_refused(made, tmp_path):
    bundle = _copy(made, PASSED, tmp_path / "in")
    (tmp_path / "in" / "outside.json").write_text("{}", "utf-8")
    document = json.loads((bundle / "manifest.json").read_text("utf-8"))
    for bad in ("../outside.json", str(tmp_path / "in" / "outside.json")):
        entry = manifest.entry(bundle, bad, document["head"])
        signed = document | {"entries": [*document["entries"], entry], "head": entry["chain"]}
        raw = (json.dumps(signed, indent=2) + "\n").encode()
        (bundle / "manifest.json").write_bytes(raw)
        key = load_or_create(made / ".testkommune" / "signing-key.pem")
        (bundle / "manifest.sig").write_text(base64.b64encode(key.sign(raw)).decode() + "\n")
        result = run_cli("verify", str(bundle), "--public-key", str(made / "kommune.pem"), cwd=tmp_path)
        assert result.returncode == EXIT_NOT_VERIFIED, result.stdout
        assert "outside the bundle" in result.stdout


def _flip_padding_bits(sig: bytes) -> bytes:
    """The last base64 digit before `==` carries 4 unused bits: a decoder that ignores them accepts this."""
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    flipped = alphabet[alphabet.index(sig[85]) ^ 1]
    return sig[:85] + bytes([flipped]) + sig[86:]


@pytest.mark.parametrize(
    "change", ["drop newline", "add space", "add newline", "second line", "padding bits", "last byte"]
)
def test_the_signature_file_is_canonical(made, tmp_path, change):
    bundle = _copy(made, PASSED, tmp_path)
    sig = (bundle / "manifest.sig").read_bytes()
    changed = {
        "drop newline": sig[:-1],
        "add space": sig[:-1] + b" \n",
        "add newline": sig + b"\n",
        "second line": sig + b"AAAA\n",
        "padding bits": _flip_padding_bits(sig),
        "last byte": sig[:-1] + b" ",
    }[change]
    (bundle / "manifest.sig").write_bytes(changed)
    result = run_cli("verify", str(bundle), "--public-key", str(made / "kommune.pem"), cwd=tmp_path)
    assert result.returncode == EXIT_NOT_VERIFIED, result.stdout
    assert "manifest.sig" in result.stdout
