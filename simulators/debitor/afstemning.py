"""Reconciliation of the debitor system: what came in, what was covered or written off, what is open, and
what was reported back to the fagsystem.

Per tenant, over the claims the tenant owns: every delfordring's amount (tilgang: hovedstol, opskrivninger,
rykkergebyrer, renter) equals its open saldo plus the dækninger/nedskrivninger/afskrivninger booked on it;
and every coverage the debitor system booked itself (indbetaling, modregning, nedskrivning, annullering)
was posted to the fagsystem's mailbox with the same amount. PSRM's own coverage of handed-over claims is
PSRM's reconciliation (simulators.psrm.underretninger.afstemning).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from testkommune.contracts.money import wire
from testkommune.simulators.debitor import tables

_REPORTED_AS = {"INDBETALING": "DAEKNING", "MODREGNING": "DAEKNING", "NEDSKRIVNING": "NEDSKRIVNING"}


def afstemning(conn: Connection, tenant_key: str) -> dict[str, Any]:
    parts = conn.execute(
        sa.select(tables.delfordringer).where(tables.delfordringer.c.tenant == tenant_key)
    ).all()
    coverages = conn.execute(sa.select(tables.coverages).where(tables.coverages.c.tenant == tenant_key)).all()
    messages = conn.execute(sa.select(tables.mailbox).where(tables.mailbox.c.tenant == tenant_key)).all()
    tilgang = {
        kind: sum(p.beloeb_oere for p in parts if p.kind == kind)
        for kind in ("HOVEDSTOL", "RYKKERGEBYR", "RENTE")
    }
    booked: dict[str, int] = {}
    for c in coverages:
        booked[c.source] = booked.get(c.source, 0) + c.amount_oere
    open_oere = sum(p.saldo_oere for p in parts)
    reported: dict[str, int] = {}
    for m in messages:
        source = (m.data or {}).get("Kilde")
        if m.kind == "DAEKNING" and source in ("INDBETALING", "MODREGNING"):
            reported["DAEKNING"] = reported.get("DAEKNING", 0) + m.amount_oere
        elif m.kind == "NEDSKRIVNING":
            reported["NEDSKRIVNING"] = reported.get("NEDSKRIVNING", 0) + m.amount_oere
        elif m.kind == "AFSKRIVNING" and source != "PSRM":
            reported["AFSKRIVNING"] = reported.get("AFSKRIVNING", 0) + m.amount_oere
    expected_report = {"DAEKNING": 0, "NEDSKRIVNING": 0, "AFSKRIVNING": 0}
    for source, amount in booked.items():
        expected_report[_REPORTED_AS.get(source, "AFSKRIVNING")] += amount
    total_in = sum(tilgang.values())
    return {
        "Tilgang": {k: wire(v) for k, v in tilgang.items()},
        "Bogført": {k: wire(v) for k, v in sorted(booked.items())},
        "Åben": wire(open_oere),
        "Indrapporteret": {k: wire(reported.get(k, 0)) for k in expected_report},
        "Balancerer": total_in == open_oere + sum(booked.values()),
        "AltIndrapporteret": all(reported.get(k, 0) == v for k, v in expected_report.items()),
    }
