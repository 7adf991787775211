"""Set-off (modregning) of a debtor's open, overdue claims against a coming payout (e.g. a benefit).

Called by the NemKonto simulator when a payout is requested, and by the admin route
`POST /admin/tenants/{kommune}/{system}/debitor/modregning`. The coverage is booked like any other dækning
(delfordringer, coverages, a DAEKNING message in the fagsystem's mailbox) and the set-off itself is kept,
so a second call with the same payout reference returns the first answer and books nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection
from testkommune.contracts.clock import danish_date
from testkommune.simulators.debitor import daekning, idempotens
from testkommune.simulators.tenancy import Tenant

KIND = "MODREGNING"


def modregn(
    conn: Connection, tenant: Tenant, *, skyldner: str, beloeb_oere: int, now: datetime, reference: str
) -> dict:
    """Set off the debtor's open, overdue claims in this tenant against a coming payout of beloeb_oere.
    Returns {"modregnet_oere": int, "udbetales_oere": int, "daekninger": [{"FordringReference": ..,
    "beloeb_oere": ..}, ...]}; idempotent per `reference` (the payout's own reference)."""
    today = danish_date(now)
    found = idempotens.claim(
        conn, tenant.key, KIND, reference, amount_oere=beloeb_oere, dato=today.isoformat(), now=now
    )
    if found is not None:
        return {k: v for k, v in found.result.items() if k != "skyldner"}
    claims = daekning.claims_of_debtor(conn, [tenant.key], skyldner)
    parts = daekning.open_parts(conn, [c.id for c in claims], due_by=today)
    covered, left = daekning.cover(
        conn,
        parts,
        max(beloeb_oere, 0),
        source=KIND,
        source_ref=reference,
        dato=today.isoformat(),
        now=now,
    )
    result: dict[str, Any] = {
        "modregnet_oere": max(beloeb_oere, 0) - left,
        "udbetales_oere": beloeb_oere - (max(beloeb_oere, 0) - left),
        "daekninger": covered,
    }
    idempotens.record(conn, tenant.key, KIND, reference, result | {"skyldner": skyldner})
    return result
