"""Bookkeeping of a debitorkonto's parts: roles (relations), hæftelser, delfordringer, opkrævning, letters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from harness.core.money import to_oere
from simulators import store
from simulators.debitor import tables

JURIDISK_ANSVARLIG = "JURIDISK_ANSVARLIG"
JURIDISK_MEDHAEFTER = "JURIDISK_MEDHAEFTER"
ADMINISTRATOR = "ADMINISTRATOR"
LIGESTILLINGSPARTNER = "LIGESTILLINGSPARTNER"
HAEFTELSE = "HAEFTELSE"
ROLE_OF_FIELD = {
    "JuridiskAnsvarlig": JURIDISK_ANSVARLIG,
    "JuridiskMedhæfter": JURIDISK_MEDHAEFTER,
    "Administrator": ADMINISTRATOR,
    "Ligestillingspartner": LIGESTILLINGSPARTNER,
}
MATERIALE_DEFAULT = {JURIDISK_ANSVARLIG: True, ADMINISTRATOR: True}
"""Who receives the account's letters unless told otherwise (Materialeabonnement) [I]."""


def subscribed(relation: Any) -> bool:
    """Whether the role's materialeabonnement (the letters it receives) is active."""
    if relation.data.get("MaterialeabonnementSlutDato"):
        return False
    return bool(relation.data.get("Materialeabonnement", MATERIALE_DEFAULT.get(relation.kind, False)))


def party_id(part: dict[str, Any]) -> tuple[str, str]:
    if "PersonCPRNummer" in part:
        return "CPR", part["PersonCPRNummer"]
    return "CVR", part["VirksomhedCVRNummer"]


def active_relations(conn: Connection, account_id: int, kind: str | None = None) -> list[Any]:
    query = sa.select(tables.relations).where(
        tables.relations.c.account_id == account_id, tables.relations.c.valid_to.is_(None)
    )
    if kind is not None:
        query = query.where(tables.relations.c.kind == kind)
    return conn.execute(query.order_by(tables.relations.c.id)).all()


def liable_parties(conn: Connection, account_id: int) -> set[str]:
    """CPR/CVR of the account's juridisk ansvarlige and active medhæftere."""
    return {
        r.party_id
        for r in active_relations(conn, account_id)
        if r.kind in (JURIDISK_ANSVARLIG, JURIDISK_MEDHAEFTER)
    }


def claim_liable(conn: Connection, claim_id: int) -> list[tuple[str, str]]:
    """(CPR|CVR, id) of the parties with an active hæftelse on the claim, in registration order."""
    rows = conn.execute(
        sa.select(tables.relations)
        .where(
            tables.relations.c.claim_id == claim_id,
            tables.relations.c.kind == HAEFTELSE,
            tables.relations.c.valid_to.is_(None),
        )
        .order_by(tables.relations.c.id)
    ).all()
    return [(r.party_kind, r.party_id) for r in rows]


def add_relation(
    conn: Connection,
    tenant_key: str,
    account_id: int,
    kind: str,
    part: dict[str, Any],
    today: date,
    *,
    claim_id: int | None = None,
) -> None:
    party_kind, pid = party_id(part)
    conn.execute(
        sa.insert(tables.relations).values(
            tenant=tenant_key,
            account_id=account_id,
            claim_id=claim_id,
            kind=kind,
            party_kind=party_kind,
            party_id=pid,
            data=part,
            valid_from=today.isoformat(),
            valid_to=None,
        )
    )


def add_roles(conn: Connection, tenant_key: str, account_id: int, spec: dict[str, Any], today: date) -> None:
    """Record the account's roles from a DebitorkontoSpecifikation; a role already active is kept."""
    current = {(r.kind, r.party_id) for r in active_relations(conn, account_id)}
    for field, kind in ROLE_OF_FIELD.items():
        value = spec.get(field)
        parts = value if isinstance(value, list) else [value] if value else []
        for part in parts:
            if (kind, party_id(part)[1]) not in current:
                add_relation(conn, tenant_key, account_id, kind, part, today)
                current.add((kind, party_id(part)[1]))


def book_parts(
    conn: Connection, tenant_key: str, claim_id: int, fordring: dict[str, Any], now: datetime
) -> None:
    """The fordring's delfordringer (one with its own dates when the fagsystem sent none)."""
    parts = fordring.get("Delfordring") or [
        {
            "DelfordringReference": "1",
            "Beløb": fordring["HovedstolBeløb"],
            "ForfaldDato": fordring.get("ForfaldDato"),
            "SidsteRettidigeBetalingDato": fordring.get("SidsteRettidigeBetalingDato"),
        }
    ]
    for nr, part in enumerate(parts, start=1):
        amount = to_oere(part["Beløb"]) or 0
        add_part(
            conn,
            tenant_key,
            claim_id,
            nr=nr,
            kind="HOVEDSTOL",
            reference=part["DelfordringReference"],
            forfald=part.get("ForfaldDato") or fordring.get("ForfaldDato"),
            srb=part.get("SidsteRettidigeBetalingDato") or fordring.get("SidsteRettidigeBetalingDato"),
            amount=amount,
            now=now,
        )


def add_part(
    conn: Connection,
    tenant_key: str,
    claim_id: int,
    *,
    nr: int | None = None,
    kind: str,
    reference: str,
    forfald: str | None,
    srb: str | None,
    amount: int,
    now: datetime,
) -> int:
    if nr is None:
        nr = 1 + (
            conn.execute(
                sa.select(sa.func.max(tables.delfordringer.c.nr)).where(
                    tables.delfordringer.c.claim_id == claim_id
                )
            ).scalar()
            or 0
        )
    result = conn.execute(
        sa.insert(tables.delfordringer).values(
            tenant=tenant_key,
            claim_id=claim_id,
            nr=nr,
            kind=kind,
            reference=reference,
            forfald=forfald,
            srb=srb,
            beloeb_oere=amount,
            saldo_oere=amount,
            created_at=now.isoformat(),
        )
    )
    return int(result.inserted_primary_key[0])


def parts_of(conn: Connection, claim_id: int) -> list[Any]:
    return conn.execute(
        sa.select(tables.delfordringer)
        .where(tables.delfordringer.c.claim_id == claim_id)
        .order_by(tables.delfordringer.c.nr)
    ).all()


def start_opkraevning(conn: Connection, tenant_key: str, claim_id: int, first_step: str | None) -> None:
    """Put a new claim under opkrævning; `first_step` is the first day anything can be due (None: never)."""
    conn.execute(
        sa.insert(tables.opkraevning).values(
            claim_id=claim_id,
            tenant=tenant_key,
            rykker_sendt=0,
            naeste_skridt=first_step,
            renter_til=None,
            status="AKTIV" if first_step else "UDEN_FRIST",
        )
    )


def set_opkraevning(conn: Connection, claim_id: int, **values: Any) -> None:
    conn.execute(
        sa.update(tables.opkraevning).where(tables.opkraevning.c.claim_id == claim_id).values(**values)
    )


def letter(
    conn: Connection,
    tenant_key: str,
    *,
    account_id: int,
    claim_id: int | None,
    kind: str,
    recipient: str,
    dato: date,
    data: dict[str, Any],
) -> None:
    """A written notice to the debtor, recorded as sent (the simulator prints nothing); every other role
    with an active materialeabonnement (administrators by default, medhæftere and ligestillingspartnere
    when registered with one) gets a copy [I: oeir.md §4.2 names Materialeabonnement per role; the exact
    rule is not public]. The juridisk ansvarlige always receives it: the written notice before overdragelse
    is required (oeir.md §10 [C]), so ending that role's materialeabonnement is recorded but stops nothing."""
    recipients = [(recipient, False)] + [
        (r.party_id, True)
        for r in active_relations(conn, account_id)
        if r.claim_id is None and r.kind != JURIDISK_ANSVARLIG and r.party_id != recipient and subscribed(r)
    ]
    for party, copy in recipients:
        conn.execute(
            sa.insert(tables.letters).values(
                tenant=tenant_key,
                account_id=account_id,
                claim_id=claim_id,
                kind=kind,
                recipient=party,
                dato=dato.isoformat(),
                data=data | {"Kopi": True} if copy else data,
            )
        )


def account_of(conn: Connection, account_id: int) -> Any:
    return conn.execute(sa.select(store.accounts).where(store.accounts.c.id == account_id)).one()
