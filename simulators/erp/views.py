"""Read models of the ERP's books for the admin API: bilag with their forretningskvittering, bookings."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row
from testkommune.contracts.clock import iso
from testkommune.contracts.money import wire
from testkommune.simulators.erp import tables
from testkommune.simulators.tenancy import Tenant


def bilag_rows(conn: Connection, tenant: Tenant, ident: str) -> list[Row[Any]]:
    """Every bilag with this BilagID, or of the delivery with this TransaktionsID, oldest first."""
    table = tables.bilag
    return list(
        conn.execute(
            sa.select(table)
            .where(
                table.c.tenant == tenant.key,
                sa.or_(table.c.bilag_id == ident, table.c.transaktions_id == ident.lower()),
            )
            .order_by(table.c.id)
        ).all()
    )


def bilag_view(row: Row[Any]) -> dict[str, Any]:
    """One bilag as received, with its status and forretningskvittering."""
    return {
        "BilagID": row.bilag_id,
        "TransaktionsID": row.transaktions_id,
        "Leverance": row.leverance,
        "Position": row.position,
        "Status": row.status,
        "Modtaget": _iso(row.received_at),
        "BehandlesTidspunkt": _iso(row.due_at),
        "BehandletTidspunkt": _iso(row.processed_at),
        "Finansbilag": row.request,
        "Forretningskvittering": row.answer,
    }


def posteringer(
    conn: Connection, tenant: Tenant, kontostreng: str | None = None, bilag_id: str | None = None
) -> dict[str, Any]:
    """Booked postings, optionally those whose kontostreng starts with `kontostreng` or of one BilagID,
    with the balance of each kontostreng."""
    p, b = tables.posteringer, tables.bilag
    query = (
        sa.select(p, b.c.bilag_id, b.c.transaktions_id)
        .join(b, b.c.id == p.c.bilag_row)
        .where(p.c.tenant == tenant.key)
        .order_by(p.c.id)
    )
    if kontostreng:
        query = query.where(p.c.kontostreng.startswith(kontostreng, autoescape=True))
    if bilag_id:
        query = query.where(b.c.bilag_id == bilag_id)
    rows = conn.execute(query).all()
    saldi: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        saldi[r.kontostreng][0] += r.debet_oere
        saldi[r.kontostreng][1] += r.kredit_oere
    return {
        "Posteringer": [
            {
                "Kontostreng": r.kontostreng,
                "Konto": r.konto,
                "Debet": wire(r.debet_oere),
                "Kredit": wire(r.kredit_oere),
                "Tekst": r.tekst,
                "Bogføringsdato": r.bogfoeringsdato,
                "BilagID": r.bilag_id,
                "TransaktionsID": r.transaktions_id,
                "Linje": r.linje,
                "Bogført": _iso(r.booked_at),
            }
            for r in rows
        ],
        "Saldi": [
            {"Kontostreng": k, "Debet": wire(d), "Kredit": wire(c), "Saldo": wire(d - c)}
            for k, (d, c) in sorted(saldi.items())
        ],
        "SumDebet": wire(sum(d for d, _ in saldi.values())),
        "SumKredit": wire(sum(c for _, c in saldi.values())),
    }


def _iso(text: str | None) -> str | None:
    return iso(datetime.fromisoformat(text)) if text else None
