"""Read models of the ERP's books for the admin API: bilag with their forretningskvittering, bookings."""

from __future__ import annotations

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


PAGE = 1000
"""Postings in one answer of the posteringer view when the caller asks for no other number (at most
MAX_PAGE): the books of a 500-bilag masseleverance (9,000 lines) come in pages, so no one answer holds the
event loop while it is built."""
MAX_PAGE = 5000


def posteringer(
    conn: Connection,
    tenant: Tenant,
    kontostreng: str | None = None,
    bilag_id: str | None = None,
    *,
    after: int = 0,
    limit: int = PAGE,
) -> dict[str, Any]:
    """Booked postings in booking order, optionally those whose kontostreng starts with `kontostreng` or of
    one BilagID: one page of at most `limit` after the posting `after` (`Næste`: where the next page starts,
    None on the last), with `Antal`, the balance of each kontostreng and the sums over all of them."""
    p, b = tables.posteringer, tables.bilag
    chosen = [p.c.tenant == tenant.key]
    if kontostreng:
        chosen.append(p.c.kontostreng.startswith(kontostreng, autoescape=True))
    if bilag_id:
        chosen.append(b.c.bilag_id == bilag_id)
    joined = p.join(b, b.c.id == p.c.bilag_row)
    limit = max(1, min(limit, MAX_PAGE))
    rows = conn.execute(
        sa.select(p, b.c.bilag_id, b.c.transaktions_id)
        .select_from(joined)
        .where(*chosen, p.c.id > after)
        .order_by(p.c.id)
        .limit(limit + 1)
    ).all()
    saldi = conn.execute(
        sa.select(p.c.kontostreng, sa.func.count(), sa.func.sum(p.c.debet_oere), sa.func.sum(p.c.kredit_oere))
        .select_from(joined)
        .where(*chosen)
        .group_by(p.c.kontostreng)
        .order_by(p.c.kontostreng)
    ).all()
    return {
        "Posteringer": [_postering(r) for r in rows[:limit]],
        "Næste": rows[limit - 1].id if len(rows) > limit else None,
        "Antal": sum(n for _, n, _, _ in saldi),
        "Saldi": [
            {"Kontostreng": k, "Debet": wire(d), "Kredit": wire(c), "Saldo": wire(d - c)}
            for k, _, d, c in saldi
        ],
        "SumDebet": wire(sum(d for _, _, d, _ in saldi)),
        "SumKredit": wire(sum(c for _, _, _, c in saldi)),
    }


def _postering(r: Row[Any]) -> dict[str, Any]:
    return {
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


def _iso(text: str | None) -> str | None:
    return iso(datetime.fromisoformat(text)) if text else None
