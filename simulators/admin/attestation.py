"""The kommune attests what it observed of a certification run, signed with its evidence key.

A vendor certifying against a shared test kommune signs its evidence bundle with its own key, which a reader
(KOMBIT) has no reason to trust. So the harness asks the kommune, at the start of the run, to keep a record
of the tenant's journal (`POST …/attestation/start`): every reset of the tenant (the runner resets before
each scenario) first digests the journal it clears into that record (`fold`). At the end the harness sends
the hash of its bundle's manifest (`POST …/attestation`); the kommune answers a statement binding that hash
to the digests of every journal entry it held since the start, one list per reset (contracts/attestation.py),
signed with the key it publishes at /evidence/public-key. `testkommune verify` checks the signature
against a key the reader trusts and that the journal in every observation of the bundle is what the kommune
attested. The record survives resets; it is the tenant's own (the routes are vendor-token scoped).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from testkommune.contracts.attestation import FORMAT, journal_digest, key_fingerprint
from testkommune.contracts.clock import iso, real_now
from testkommune.contracts.findings import Finding
from testkommune.simulators.admin.routes import checked_body, tenant_endpoint
from testkommune.simulators.attestation import entries, epochs, runs
from testkommune.simulators.context import Simulator
from testkommune.simulators.http import ok, problem
from testkommune.simulators.tenancy import Tenant


def _refused(status: int, detail: str) -> Response:
    return problem(status, "Cannot attest", [Finding("ADMIN-UGYLDIG", "$", {"detail": detail})])


@tenant_endpoint
async def start(request: Request, sim: Simulator, tenant: Tenant) -> Response:
    """Open (or restart) the tenant's attestation record: from the next reset on (the run's first), every
    reset keeps the digests of the journal it clears."""
    with sim.store.transaction() as conn:
        conn.execute(sa.delete(entries).where(entries.c.tenant == tenant.key))
        conn.execute(sa.delete(runs).where(runs.c.tenant == tenant.key))
        started = iso(real_now())
        conn.execute(sa.insert(runs).values(tenant=tenant.key, started_at=started, epochs=-1))
    return ok({"tenant": tenant.key, "started_at": started})


@tenant_endpoint
async def attest(request: Request, sim: Simulator, tenant: Tenant) -> Response:
    """POST {"manifest_sha256": "<hex>"}: the signed statement binding it to the journal since the start."""
    body = await checked_body(request, sim, "admin/Attestation_I")
    key: Ed25519PrivateKey | None = getattr(request.app.state, "evidence_key", None)
    if key is None:
        return _refused(404, "this test kommune has no evidence key to attest with (serve --signing-key)")
    with sim.store.transaction() as conn:
        run = conn.execute(sa.select(runs).where(runs.c.tenant == tenant.key)).first()
        if run is None:
            return _refused(409, "no attestation record: POST …/attestation/start before the run")
        held = epochs(conn, tenant, run.epochs)
    public = key.public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    statement: dict[str, Any] = {
        "format": FORMAT,
        "kommune": tenant.kommune,
        "anvendersystem": tenant.system,
        "manifest_sha256": body["manifest_sha256"],
        "started_at": run.started_at,
        "attested_at": iso(real_now()),
        "journal": {"sha256": journal_digest(held), "entries": sum(map(len, held)), "epochs": held},
        "key_fingerprint": key_fingerprint(raw),
    }
    text = json.dumps(statement, ensure_ascii=False, sort_keys=True)
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    signature = base64.b64encode(key.sign(text.encode("utf-8"))).decode()
    return ok({"statement": text, "signature": signature, "public_key_pem": pem.decode()})


_T = "/admin/tenants/{kommune}/{system}"


def attestation_routes() -> list[Route]:
    return [
        Route(f"{_T}/attestation/start", start, methods=["POST"]),
        Route(f"{_T}/attestation", attest, methods=["POST"]),
    ]
