"""Bookkeeping of a debitorkonto's parts: roles (relations), hæftelser, delfordringer, opkrævning, letters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row
from testkommune.contracts.money import to_oere
from testkommune.simulators.debitor import tables
from testkommune.simulators.prepared import PreparedInsert

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


class Relation(NamedTuple):
    """A relation just inserted, with the fields a relation row is read for."""

    kind: str
    party_kind: str
    party_id: str
    data: dict[str, Any]
    claim_id: int | None


_rel = tables.relations.c
_parts = tables.delfordringer.c
_ACTIVE = sa.select(tables.relations).where(
    _rel.account_id == sa.bindparam("k_account"), _rel.valid_to.is_(None)
)
_ACTIVE_RELATIONS = _ACTIVE.order_by(_rel.id)
_ACTIVE_RELATIONS_OF_KIND = _ACTIVE.where(_rel.kind == sa.bindparam("k_kind")).order_by(_rel.id)
_CLAIM_LIABLE = (
    sa.select(_rel.party_kind, _rel.party_id)
    .where(_rel.claim_id == sa.bindparam("k_claim"), _rel.kind == HAEFTELSE, _rel.valid_to.is_(None))
    .order_by(_rel.id)
)
_INSERT_RELATION = PreparedInsert(tables.relations)
_INSERT_PARTS = PreparedInsert(tables.delfordringer)
_LAST_PART_NR = sa.select(sa.func.max(_parts.nr)).where(_parts.claim_id == sa.bindparam("k_claim"))
_PARTS_OF = (
    sa.select(tables.delfordringer).where(_parts.claim_id == sa.bindparam("k_claim")).order_by(_parts.nr)
)
_INSERT_OPKRAEVNING = PreparedInsert(tables.opkraevning)
_UPDATE_OPKRAEVNING = sa.update(tables.opkraevning).where(
    tables.opkraevning.c.claim_id == sa.bindparam("k_claim")
)
_INSERT_LETTER = PreparedInsert(tables.letters)
_ACCOUNT = sa.select(tables.accounts).where(tables.accounts.c.id == sa.bindparam("k_account"))


def active_relations(conn: Connection, account_id: int, kind: str | None = None) -> Sequence[Row[Any]]:
    if kind is None:
        return conn.execute(_ACTIVE_RELATIONS, {"k_account": account_id}).all()
    return conn.execute(_ACTIVE_RELATIONS_OF_KIND, {"k_account": account_id, "k_kind": kind}).all()


def liable_parties(relations: Sequence[Any]) -> set[str]:
    """CPR/CVR of the juridisk ansvarlige and medhæftere among an account's active relations."""
    return {r.party_id for r in relations if r.kind in (JURIDISK_ANSVARLIG, JURIDISK_MEDHAEFTER)}


def claim_liable(conn: Connection, claim_id: int) -> list[tuple[str, str]]:
    """(CPR|CVR, id) of the parties with an active hæftelse on the claim, in registration order."""
    rows = conn.execute(_CLAIM_LIABLE, {"k_claim": claim_id}).all()
    return [(r.party_kind, r.party_id) for r in rows]


def relation_row(
    tenant_key: str,
    account_id: int,
    kind: str,
    part: dict[str, Any],
    today: date,
    *,
    claim_id: int | None = None,
) -> dict[str, Any]:
    """The insert parameters of one relation (a role or hæftelse of `part`, valid from `today`)."""
    party_kind, pid = party_id(part)
    return {
        "tenant": tenant_key,
        "account_id": account_id,
        "claim_id": claim_id,
        "kind": kind,
        "party_kind": party_kind,
        "party_id": pid,
        "data": part,
        "valid_from": today.isoformat(),
        "valid_to": None,
    }


def add_roles(
    tenant_key: str,
    account_id: int,
    spec: dict[str, Any],
    today: date,
    current: Sequence[Any],
    bookings: Bookings,
) -> list[Any]:
    """Book the account's roles from a DebitorkontoSpecifikation; a role already active is kept.

    `current` is the account's active relations (empty for a new account). Returns the active relations
    afterwards, in registration order."""
    relations = list(current)
    seen = {(r.kind, r.party_id) for r in relations}
    for name, kind in ROLE_OF_FIELD.items():
        value = spec.get(name)
        parts = value if isinstance(value, list) else [value] if value else []
        for part in parts:
            if (kind, party_id(part)[1]) not in seen:
                row = relation_row(tenant_key, account_id, kind, part, today)
                bookings.relations.append(row)
                relations.append(Relation(kind, row["party_kind"], row["party_id"], part, None))
                seen.add((kind, row["party_id"]))
    return relations


@dataclass(slots=True)
class Bookings:
    """The rows of one registration, inserted together by `insert`: one statement per table."""

    relations: list[dict[str, Any]] = field(default_factory=list)
    parts: list[dict[str, Any]] = field(default_factory=list)
    opkraevning: list[dict[str, Any]] = field(default_factory=list)
    letters: list[dict[str, Any]] = field(default_factory=list)

    def insert(self, conn: Connection) -> None:
        for statement, rows in (
            (_INSERT_RELATION, self.relations),
            (_INSERT_PARTS, self.parts),
            (_INSERT_OPKRAEVNING, self.opkraevning),
            (_INSERT_LETTER, self.letters),
        ):
            if rows:  # compiled once, rows bound straight to the DB-API cursor
                statement.execute_many(conn, rows)


def part_rows(
    tenant_key: str, claim_id: int, fordring: dict[str, Any], now: datetime
) -> list[dict[str, Any]]:
    """The fordring's delfordringer (one with its own dates when none were sent), as insert parameters."""
    parts = fordring.get("Delfordring") or [
        {
            "DelfordringReference": "1",
            "Beløb": fordring["HovedstolBeløb"],
            "ForfaldDato": fordring.get("ForfaldDato"),
            "SidsteRettidigeBetalingDato": fordring.get("SidsteRettidigeBetalingDato"),
        }
    ]
    return [
        _part_row(
            tenant_key,
            claim_id,
            nr=nr,
            kind="HOVEDSTOL",
            reference=part["DelfordringReference"],
            forfald=part.get("ForfaldDato") or fordring.get("ForfaldDato"),
            srb=part.get("SidsteRettidigeBetalingDato") or fordring.get("SidsteRettidigeBetalingDato"),
            amount=to_oere(part["Beløb"]) or 0,
            now=now,
        )
        for nr, part in enumerate(parts, start=1)
    ]


def _part_row(
    tenant_key: str,
    claim_id: int,
    *,
    nr: int,
    kind: str,
    reference: str,
    forfald: str | None,
    srb: str | None,
    amount: int,
    now: datetime,
) -> dict[str, Any]:
    return {
        "tenant": tenant_key,
        "claim_id": claim_id,
        "nr": nr,
        "kind": kind,
        "reference": reference,
        "forfald": forfald,
        "srb": srb,
        "beloeb_oere": amount,
        "saldo_oere": amount,
        "created_at": now.isoformat(),
    }


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
    """Add one delfordring; numbered after the claim's last one unless `nr` is given. Returns its id."""
    if nr is None:
        nr = 1 + (conn.execute(_LAST_PART_NR, {"k_claim": claim_id}).scalar() or 0)
    row = _part_row(
        tenant_key,
        claim_id,
        nr=nr,
        kind=kind,
        reference=reference,
        forfald=forfald,
        srb=srb,
        amount=amount,
        now=now,
    )
    return _INSERT_PARTS.execute_one(conn, row)


def parts_of(conn: Connection, claim_id: int) -> Sequence[Row[Any]]:
    return conn.execute(_PARTS_OF, {"k_claim": claim_id}).all()


def opkraevning_row(tenant_key: str, claim_id: int, first_step: str | None) -> dict[str, Any]:
    """A new claim's opkrævning record; `first_step` is the first day anything can be due (None: never)."""
    return {
        "claim_id": claim_id,
        "tenant": tenant_key,
        "rykker_sendt": 0,
        "naeste_skridt": first_step,
        "renter_til": None,
        "status": "AKTIV" if first_step else "UDEN_FRIST",
    }


def set_opkraevning(conn: Connection, claim_id: int, **values: Any) -> None:
    if values:
        conn.execute(_UPDATE_OPKRAEVNING, {"k_claim": claim_id, **values})


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
    """A written notice to the debtor and its copies (see `letter_rows`), recorded as sent."""
    rows = letter_rows(
        tenant_key,
        active_relations(conn, account_id),
        account_id=account_id,
        claim_id=claim_id,
        kind=kind,
        recipient=recipient,
        dato=dato,
        data=data,
    )
    _INSERT_LETTER.execute_many(conn, rows)


def letter_rows(
    tenant_key: str,
    relations: Sequence[Any],
    *,
    account_id: int,
    claim_id: int | None,
    kind: str,
    recipient: str,
    dato: date,
    data: dict[str, Any],
) -> list[dict[str, Any]]:
    """A written notice to the debtor, recorded as sent (the simulator prints nothing); every other role
    with an active materialeabonnement (administrators by default, medhæftere and ligestillingspartnere
    when registered with one) gets a copy [I: oeir.md §4.2 names Materialeabonnement per role; the exact
    rule is not public]. The juridisk ansvarlige always receives it: the written notice before overdragelse
    is required (oeir.md §10 [C]), so ending that role's materialeabonnement is recorded but stops nothing.

    `relations` are the account's active relations. Returns the insert parameters of each letter."""
    recipients = [(recipient, False)] + [
        (r.party_id, True)
        for r in relations
        if r.claim_id is None and r.kind != JURIDISK_ANSVARLIG and r.party_id != recipient and subscribed(r)
    ]
    return [
        {
            "tenant": tenant_key,
            "account_id": account_id,
            "claim_id": claim_id,
            "kind": kind,
            "recipient": party,
            "dato": dato.isoformat(),
            "data": data | {"Kopi": True} if copy else data,
        }
        for party, copy in recipients
    ]


def account_of(conn: Connection, account_id: int) -> Any:
    return conn.execute(_ACCOUNT, {"k_account": account_id}).one()
