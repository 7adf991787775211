"""Coverage (dækning) of money over a debtor's open delfordringer, in one documented order.

Dækningsrækkefølge [I] (oeir.md §4.2: the debitor system decides the order; testkommune's choice follows the
usual Danish order costs → interest → principal, oldest first): claims by their oldest open delfordring's
forfald (then by claim id); within a claim RYKKERGEBYR, then RENTE, then HOVEDSTOL delfordringer by
forfald and number. Only claims still under opkrævning are covered — a claim handed to PSRM is PSRM's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row
from testkommune.contracts.money import wire
from testkommune.simulators.debitor import mailbox, tables
from testkommune.simulators.tenancy import now_of

OPKRAEVNING = "OPKRAEVNING"
KIND_ORDER = {"RYKKERGEBYR": 0, "RENTE": 1, "HOVEDSTOL": 2}


def open_parts(conn: Connection, claim_ids: list[int], *, due_by: date | None = None) -> Sequence[Row[Any]]:
    """Open delfordringer of these claims (optionally only those whose SRB/forfald is before `due_by`)."""
    if not claim_ids:
        return []
    rows = conn.execute(
        sa.select(tables.delfordringer).where(
            tables.delfordringer.c.claim_id.in_(claim_ids), tables.delfordringer.c.saldo_oere > 0
        )
    ).all()
    if due_by is not None:
        rows = [r for r in rows if (r.srb or r.forfald) and date.fromisoformat(r.srb or r.forfald) < due_by]
    return rows


def order(parts: Sequence[Row[Any]]) -> list[Row[Any]]:
    """The dækningsrækkefølge described in the module docstring."""
    far = "9999-12-31"
    oldest: dict[int, str] = {}
    for p in parts:
        oldest[p.claim_id] = min(oldest.get(p.claim_id, far), p.forfald or far)
    return sorted(
        parts,
        key=lambda p: (oldest[p.claim_id], p.claim_id, KIND_ORDER.get(p.kind, 9), p.forfald or far, p.nr),
    )


def cover(
    conn: Connection,
    parts: Sequence[Row[Any]],
    amount_oere: int,
    *,
    source: str,
    source_ref: str,
    dato: str,
    now: datetime,
    payer: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Cover `parts` in order with `amount_oere`; book each dækning, post it to the claim owner's mailbox.

    `payer` is the paying tenant; a dækning of another tenant's claim reaches that owner's mailbox on the
    owner's own simulated clock (its delay counts from the owner's now, not the payer's).

    Returns the dækninger (per claim, with the delfordringer covered) and the amount left over.
    """
    left = amount_oere
    per_claim: dict[int, dict[str, Any]] = {}
    for part in order(parts):
        if left <= 0:
            break
        take = min(left, part.saldo_oere)
        left -= take
        claim = _book_cover(conn, part, take, source=source, source_ref=source_ref, dato=dato, now=now)
        entry = per_claim.setdefault(
            claim.id,
            {"tenant": claim.tenant, "FordringReference": claim.reference, "beloeb_oere": 0, "dele": []},
        )
        entry["beloeb_oere"] += take
        entry["dele"].append({"DelfordringReference": part.reference, "Type": part.kind, "Beløb": wire(take)})
    daekninger = [
        _report_daekning(
            conn, claim_id, entry, source=source, source_ref=source_ref, dato=dato, now=now, payer=payer
        )
        for claim_id, entry in per_claim.items()
    ]
    return daekninger, left


def _book_cover(
    conn: Connection, part: Row[Any], take: int, *, source: str, source_ref: str, dato: str, now: datetime
) -> Row[Any]:
    """Take `take` off the delfordring (and, for HOVEDSTOL, off its claim's saldo) and book the dækning;
    return the claim."""
    claim = conn.execute(sa.select(tables.claims).where(tables.claims.c.id == part.claim_id)).one()
    conn.execute(
        sa.update(tables.delfordringer)
        .where(tables.delfordringer.c.id == part.id)
        .values(saldo_oere=tables.delfordringer.c.saldo_oere - take)
    )
    if part.kind == "HOVEDSTOL":
        conn.execute(
            sa.update(tables.claims)
            .where(tables.claims.c.id == claim.id)
            .values(saldo_oere=tables.claims.c.saldo_oere - take, updated_at=now.isoformat())
        )
    conn.execute(
        sa.insert(tables.coverages).values(
            tenant=claim.tenant,
            claim_id=claim.id,
            delfordring_id=part.id,
            source=source,
            source_ref=source_ref,
            amount_oere=take,
            dato=dato,
            booked_at=now.isoformat(),
        )
    )
    return claim


def _report_daekning(
    conn: Connection,
    claim_id: int,
    entry: dict[str, Any],
    *,
    source: str,
    source_ref: str,
    dato: str,
    now: datetime,
    payer: str | None,
) -> dict[str, Any]:
    """Post one claim's dækning to its owner's mailbox (on the owner's clock), settle the claim if it is
    paid, and return the dækning."""
    owner_now = now if payer in (None, entry["tenant"]) else now_of(conn, entry["tenant"])
    mailbox.post(
        conn,
        entry["tenant"],
        kind="DAEKNING",
        reference=entry["FordringReference"],
        amount_oere=entry["beloeb_oere"],
        dato=dato,
        now=owner_now,
        claim_id=claim_id,
        data={"Kilde": source, "KildeReference": source_ref, "Delfordring": entry["dele"]},
        message_id=f"{source}:{source_ref}:{claim_id}",
    )
    daekning = {
        "FordringID": str(claim_id),
        "FordringReference": entry["FordringReference"],
        "beloeb_oere": entry["beloeb_oere"],
        "Delfordring": entry["dele"],
    }
    settled(conn, entry["tenant"], claim_id, dato=dato, now=now)
    return daekning


def settled(conn: Connection, tenant_key: str, claim_id: int, *, dato: str, now: datetime) -> None:
    """A claim whose delfordringer are all covered is indfriet: its opkrævning ends and the fagsystem is told;
    when every claim of the account is settled, the debitorkonto closes (oeir.md §4.2 [C]: the debitor system
    notifies status changes, e.g. debitorkonto closed)."""
    if conn.execute(
        sa.select(sa.func.coalesce(sa.func.sum(tables.delfordringer.c.saldo_oere), 0)).where(
            tables.delfordringer.c.claim_id == claim_id
        )
    ).scalar():
        return
    claim = conn.execute(sa.select(tables.claims).where(tables.claims.c.id == claim_id)).one()
    conn.execute(
        sa.update(tables.opkraevning)
        .where(tables.opkraevning.c.claim_id == claim_id)
        .values(status="BETALT", naeste_skridt=None)
    )

    def status(data: dict[str, Any], message_id: str) -> None:
        mailbox.post(
            conn,
            tenant_key,
            kind="STATUS",
            reference=claim.reference,
            amount_oere=0,
            dato=dato,
            now=now,
            claim_id=claim_id,
            data=data,
            message_id=message_id,
        )

    status({"Hændelse": "INDFRIET", "FordringTilstand": claim.state}, f"INDFRIET:{claim_id}")
    open_left = conn.execute(
        sa.select(sa.func.count())
        .select_from(
            tables.delfordringer.join(tables.claims, tables.claims.c.id == tables.delfordringer.c.claim_id)
        )
        .where(tables.claims.c.account_id == claim.account_id, tables.delfordringer.c.saldo_oere > 0)
    ).scalar()
    if not open_left:
        account = conn.execute(
            sa.select(tables.accounts).where(tables.accounts.c.id == claim.account_id)
        ).one()
        status(
            {"Hændelse": "DEBITORKONTO_LUKKET", "DebitorkontoReference": account.reference},
            f"LUKKET:{account.id}:{claim_id}",
        )


def claims_of_debtor(conn: Connection, tenant_keys: list[str], skyldner: str) -> Sequence[Row[Any]]:
    """Claims under opkrævning in these tenants on which `skyldner` has an active hæftelse (as juridisk
    ansvarlig or medhæfter): an ended hæftelse no longer makes its party pay."""
    liable = sa.select(tables.relations.c.claim_id).where(
        tables.relations.c.tenant.in_(tenant_keys),
        tables.relations.c.party_id == skyldner,
        tables.relations.c.kind == "HAEFTELSE",
        tables.relations.c.valid_to.is_(None),
    )
    return conn.execute(
        sa.select(tables.claims)
        .where(
            tables.claims.c.tenant.in_(tenant_keys),
            tables.claims.c.state == OPKRAEVNING,
            tables.claims.c.id.in_(liable),
        )
        .order_by(tables.claims.c.id)
    ).all()
