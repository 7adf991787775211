"""`certify --url`: a running (shared) test kommune vouches for what it observed (evidence/attest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def start(base_url: str, kommune: str, system: str, token: str | None, console: Any) -> Any:
    """An admin client of the tenant whose kommune now records its journal, or None (said why)."""
    from testkommune.harness.certify.client import AdminClient, KommuneUnavailableError

    admin = AdminClient(base_url, kommune, system, token=token)
    try:
        admin.start_attestation()
    except KommuneUnavailableError as exc:
        console.print(f"  the test kommune keeps no record to attest this run: {exc}")
        return None
    return admin


def attest(admin: Any, bundle: Path, console: Any) -> None:
    """Have the kommune attest the bundle; an answer it cannot give leaves the bundle UNATTESTED, said so."""
    import json

    from testkommune.harness.certify.client import KommuneUnavailableError
    from testkommune.harness.evidence.attest import manifest_hash, write_attestation

    try:
        answer = admin.attest(manifest_hash(bundle))
        write_attestation(bundle, answer)
    except (KommuneUnavailableError, KeyError, TypeError) as exc:
        console.print(f"  evidence UNATTESTED: the test kommune did not attest it ({exc})")
        return
    signer = json.loads(answer["statement"]).get("key_fingerprint")
    console.print(f"  evidence attested by the test kommune's key {signer}")
