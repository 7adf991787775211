"""How the debitor system shows its accounts: in full to the owning fagsystem, minimally to others."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row
from testkommune.contracts.money import wire
from testkommune.simulators.debitor import konto, tables


def part_view(row: Any) -> dict[str, Any]:
    out = {
        "DelfordringID": str(row.id),
        "DelfordringReference": row.reference,
        "Type": row.kind,
        "Beløb": wire(row.beloeb_oere),
        "SaldoBeløb": wire(row.saldo_oere),
    }
    if row.forfald:
        out["ForfaldDato"] = row.forfald
    if row.srb:
        out["SidsteRettidigeBetalingDato"] = row.srb
    return out


def _sum(parts: Sequence[Row[Any]], kind: str, column: str) -> int:
    return sum(getattr(p, column) for p in parts if p.kind == kind)


def claim_full(conn: Connection, row: Any, base: dict[str, Any]) -> dict[str, Any]:
    """The owner's view of one claim: stamdata view + delfordringer, renter, gebyrer, dækninger, hæftelser."""
    parts = konto.parts_of(conn, row.id)
    coverages = conn.execute(
        sa.select(tables.coverages)
        .where(tables.coverages.c.claim_id == row.id)
        .order_by(tables.coverages.c.id)
    ).all()
    opk = conn.execute(sa.select(tables.opkraevning).where(tables.opkraevning.c.claim_id == row.id)).first()
    haeftelser = conn.execute(
        sa.select(tables.relations).where(
            tables.relations.c.claim_id == row.id, tables.relations.c.kind == konto.HAEFTELSE
        )
    ).all()
    return base | {
        "HovedstolBeløb": wire(row.hovedstol_oere),
        "RenteBeløb": wire(_sum(parts, "RENTE", "beloeb_oere")),
        "RykkergebyrBeløb": wire(_sum(parts, "RYKKERGEBYR", "beloeb_oere")),
        "RestanceBeløb": wire(sum(p.saldo_oere for p in parts)),
        "AntalRykkere": opk.rykker_sendt if opk else 0,
        "Delfordring": [part_view(p) for p in parts],
        "Dækning": [
            {
                "Kilde": c.source,
                "KildeReference": c.source_ref,
                "Beløb": wire(c.amount_oere),
                "Dato": c.dato,
                **({"DelfordringID": str(c.delfordring_id)} if c.delfordring_id else {}),
            }
            for c in coverages
        ],
        "Hæftelse": [
            {
                "PartID": h.party_id,
                "GyldigFraDato": h.valid_from,
                **({"GyldigTilDato": h.valid_to} if h.valid_to else {}),
            }
            for h in haeftelser
        ],
    }


def roles(conn: Connection, account_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(tables.relations)
        .where(tables.relations.c.account_id == account_id, tables.relations.c.claim_id.is_(None))
        .order_by(tables.relations.c.id)
    ).all()
    out = []
    for r in rows:
        entry: dict[str, Any] = {
            "Rolle": r.kind,
            "PartID": r.party_id,
            "Navn": r.data.get("Navn"),
            "GyldigFraDato": r.valid_from,
        }
        if r.valid_to:
            entry["GyldigTilDato"] = r.valid_to
        address = r.data.get("GældendeAdresse")
        if address:
            entry["GældendeAdresse"] = address
        out.append(entry)
    return out


def claim_minimal(conn: Connection, row: Any) -> dict[str, Any]:
    """What another system in the same kommune sees of a claim: enough to pay it, nothing private.

    Shown: ids, fordringstype, state, balance and the open delfordringer with their due dates.
    Never shown: the owner's FordringReference, Beskrivelse, periods, PSRM receipts, roles and addresses.
    """
    parts = [p for p in konto.parts_of(conn, row.id) if p.saldo_oere > 0]
    return {
        "FordringID": str(row.id),
        "FordringstypeKode": row.fordringstype,
        "FordringTilstand": row.state,
        "SaldoBeløb": wire(row.saldo_oere),
        "RestanceBeløb": wire(sum(p.saldo_oere for p in parts)),
        "Delfordring": [
            {k: v for k, v in part_view(p).items() if k != "DelfordringReference"} for p in parts
        ],
    }


def claims_of_account(conn: Connection, account_id: int) -> Sequence[Row[Any]]:
    return conn.execute(
        sa.select(tables.claims).where(tables.claims.c.account_id == account_id).order_by(tables.claims.c.id)
    ).all()
