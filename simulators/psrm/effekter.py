"""Apply an accepted PSRM action's effects to state: book claims, change balances, recall, describe.

The action handlers (`actions.py`) are pure and only name effects; this module writes them, with an event
per movement in the claim's ledger (`state.record_event`).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from testkommune.contracts.clock import danish_date
from testkommune.contracts.findings import describe_all
from testkommune.simulators.prepared import Prepared
from testkommune.simulators.psrm import inddrivelse, tables
from testkommune.simulators.psrm.aktion import Verdict
from testkommune.simulators.psrm.foraeldelse import limitation
from testkommune.simulators.psrm.state import (
    TILBAGEKALDT,
    UNDER_INDDRIVELSE,
    Book,
    Change,
    Describe,
    Effect,
    PsrmView,
    Recall,
    SetPrincipal,
    add_events,
    event_values,
    record_event,
)
from testkommune.simulators.tenancy import Tenant

_actions, _claims = tables.actions, tables.claims
_CLAIM_KEYS = (
    "tenant",
    "hovedfordring_id",
    "kompleks_id",
    "original_id",
    "kind",
    "art",
    "aktion_id",
    "claimant_ref",
    "fordringstype",
    "status",
    "recall_reason",
    "statsrefusion",
    "hovedstol_oere",
    "saldo_oere",
    "received_at",
    "data",
)
BOOK_CLAIM = Prepared(sa.insert(_claims).returning(_claims.c.id), _CLAIM_KEYS)


@cache
def _update_statement(table: sa.Table, columns: frozenset[str]) -> sa.Update:
    """UPDATE one row of `table` (by tenant and key) setting `columns`: one statement per column set."""
    key = table.c.aktion_id if table is _actions else table.c.id
    return (
        sa.update(table)
        .where(table.c.tenant == sa.bindparam("k_tenant"), key == sa.bindparam("k_key"))
        .values({c: sa.bindparam(c) for c in columns})
    )


def update_action(conn: Connection, tenant: Tenant, aktion_id: str, values: dict[str, Any]) -> None:
    statement = prepared_update(_actions, frozenset(values))
    statement.execute(conn, values | {"k_tenant": tenant.key, "k_key": aktion_id})


@cache
def prepared_update(table: sa.Table, columns: frozenset[str]) -> Prepared:
    return Prepared(_update_statement(table, columns))


def apply_effects(
    conn: Connection,
    tenant: Tenant,
    row: Any,
    effects: list[Effect],
    received: datetime,
    settings: dict[str, Any],
) -> dict[str, Any]:
    """Apply an accepted action's effects; returns the ids its receipt names."""
    main_id: int | None = None
    first_id: int | None = None
    booked_main: dict[int, int] = {}  # claim booked here -> its hovedfordring_id or kompleks_id or itself
    for effect in effects:
        if isinstance(effect, Book):
            parent = main_id if effect.parent == "main" else effect.parent
            assert not isinstance(parent, str), "'main' is the only text a Book's parent holds"
            booked = _book(conn, tenant, row, effect, parent, received, settings)
            booked_main[booked] = parent or effect.kompleks_id or booked
            first_id = first_id or booked
            if effect.kind == "HF":
                main_id = booked
        elif isinstance(effect, Change):
            _change(conn, tenant, row, effect, received)
            first_id = first_id or effect.claim_id
        elif isinstance(effect, SetPrincipal):
            _set_claim(conn, tenant, effect.claim_id, hovedstol_oere=effect.hovedstol)
            record_event(
                conn,
                tenant,
                effect.claim_id,
                row.aktion_id,
                "HOVEDSTOL_RETTET",
                0,
                danish_date(received),
                received,
                {"hovedstol": effect.hovedstol},
            )
            first_id = first_id or effect.claim_id
        elif isinstance(effect, Recall):
            freed: dict[int, int] = {}  # payment id -> what the recall's reversals freed of it
            for claim_id in effect.claim_ids:
                _recall(conn, tenant, row.aktion_id, claim_id, effect, received, freed)
            if freed:  # the whole complex is recalled first, so none of it is covered again
                inddrivelse.gendaek(conn, tenant, freed, danish_date(received), received)
            first_id = first_id or effect.claim_ids[0]
        elif isinstance(effect, Describe):
            first_id = first_id or effect.claim_id
    if first_id in booked_main:  # booked just now: its ids are known without reading it back
        main: int | None = booked_main[first_id]
    else:
        claim = PsrmView(conn, tenant).claim(first_id) if first_id else None
        main = claim.hovedfordring_id or claim.kompleks_id or claim.id if claim else None
    return receipt_ids(first_id, main)


def receipt_ids(first_id: int | None, main_id: int | None) -> dict[str, Any]:
    """The action row's ids its receipt names: the first claim it touched and that claim's main claim."""
    return {
        "fordring_id": str(first_id) if first_id else None,
        "hovedfordring_id": str(main_id) if main_id else None,
    }


def verdict_values(row: Any, verdict: Verdict) -> dict[str, Any]:
    """The action row's values once judged: AFVIST with its errors, HOERING with the hearing's reasons, or
    UDFOERT (its ids, `receipt_ids`, are added once its effects are applied)."""
    values: dict[str, Any] = {"processed_at": row.due_at}
    if verdict.errors:
        return values | {"status": "AFVIST", "errors": describe_all(verdict.errors)}
    if verdict.hearing:
        return values | {"status": "HOERING", "hearing": {"aarsager": describe_all(verdict.hearing)}}
    return values | {"status": "UDFOERT"}


def _limitation(
    conn: Connection, effect: Book, received: datetime, settings: dict[str, Any]
) -> dict[str, Any]:
    """The stored limitation; a re-submitted claim counts its floor from the original's first receipt."""
    first = None
    if effect.original_id is not None:
        data = conn.execute(sa.select(_claims.c.data).where(_claims.c.id == effect.original_id)).scalar_one()
        earlier = (data.get("foraeldelse") or {}).get("foerste_modtagelse")
        first = date.fromisoformat(earlier) if earlier else None
    return limitation(
        effect.stamdata,
        danish_date(received),
        first_received=first,
        par27=settings["psrm"].get("foraeldelse_par27", True),
    )


def _book(
    conn: Connection,
    tenant: Tenant,
    row: Any,
    effect: Book,
    parent: int | None,
    received: datetime,
    settings: dict[str, Any],
) -> int:
    values = claim_row(conn, tenant, row, effect, parent, received, settings)
    claim_id = int(BOOK_CLAIM.execute(conn, values).fetchone()[0])
    if effect.original_id is not None:
        _set_claim(conn, tenant, effect.original_id, genindsendt_som=claim_id)
    add_events(conn, [booked_event(tenant, row, effect, claim_id, received)])
    return claim_id


def claim_row(
    conn: Connection,
    tenant: Tenant,
    row: Any,
    effect: Book,
    parent: int | None,
    received: datetime,
    settings: dict[str, Any],
) -> dict[str, Any]:
    """The claims row a Book effect of action `row` inserts (`parent`: its main claim's id, if any)."""
    claim = effect.stamdata
    return {
        "tenant": tenant.key,
        "hovedfordring_id": parent,
        "kompleks_id": effect.kompleks_id,
        "original_id": effect.original_id,
        "kind": effect.kind,
        "art": effect.art,
        "aktion_id": row.aktion_id,
        "claimant_ref": claim.reference,
        "fordringstype": claim.fordringstype,
        "status": UNDER_INDDRIVELSE,
        "recall_reason": None,
        "statsrefusion": effect.statsrefusion,
        "hovedstol_oere": claim.hovedstol or 0,
        "saldo_oere": claim.saldo or 0,
        "received_at": received.isoformat(),
        "data": {
            "stamdata": effect.snapshot,
            "foraeldelse": _limitation(conn, effect, received, settings),
        },
    }


def booked_event(tenant: Tenant, row: Any, effect: Book, claim_id: int, received: datetime) -> dict[str, Any]:
    """The events row that opens a booked claim's ledger (TILGANG, or OPSKRIVNING for a write-up claim)."""
    claim = effect.stamdata
    kind = "OPSKRIVNING" if effect.kind == "OPSKRIVNING" else "TILGANG"
    return event_values(
        tenant,
        claim_id,
        row.aktion_id,
        kind,
        claim.saldo or 0,
        danish_date(received),
        received,
        {"hovedstol": claim.hovedstol, "kind": effect.kind},
    )


def _change(conn: Connection, tenant: Tenant, row: Any, effect: Change, received: datetime) -> None:
    table = tables.claims
    conn.execute(
        sa.update(table)
        .where(table.c.tenant == tenant.key, table.c.id == effect.claim_id)
        .values(saldo_oere=table.c.saldo_oere + effect.delta)
    )
    record_event(
        conn,
        tenant,
        effect.claim_id,
        row.aktion_id,
        effect.kind,
        effect.delta,
        effect.virkningsdato,
        received,
        effect.data,
    )


def _set_claim(conn: Connection, tenant: Tenant, claim_id: int, **values: Any) -> None:
    table = tables.claims
    if "genindsendt_som" in values:
        row = conn.execute(sa.select(table.c.data).where(table.c.id == claim_id)).one()
        values = {"data": dict(row.data) | {"genindsendt_som": values.pop("genindsendt_som")}} | values
    conn.execute(
        _update_statement(table, frozenset(values)), values | {"k_tenant": tenant.key, "k_key": claim_id}
    )


REVERSED = {"DAEKNING": "DAEKNING_TILBAGEFOERT", "RENTEDAEKNING": "RENTEDAEKNING_TILBAGEFOERT"}


def _recall(
    conn: Connection,
    tenant: Tenant,
    aktion_id: str,
    claim_id: int,
    effect: Recall,
    received: datetime,
    freed: dict[int, int],
) -> None:
    """Recall one claim. With FEJL every dækning of the claim is reversed first, so the whole principal goes
    back and the money is released into `freed` per payment (psrm.md §6.3: FEJL – coverings 'all reversed',
    interest 'all reset from receipt'; the negative amount is netted in a later afregning)."""
    if effect.reason == "FEJL":
        _reverse_coverings(conn, tenant, aktion_id, claim_id, received, freed)
    claim = PsrmView(conn, tenant).claim(claim_id)
    assert claim is not None, "a recall names claims read when its action was judged"
    saldo = claim.saldo
    _set_claim(conn, tenant, claim_id, status=TILBAGEKALDT, recall_reason=effect.reason)
    record_event(
        conn,
        tenant,
        claim_id,
        aktion_id,
        f"TILBAGEKALD_{effect.reason}",
        -saldo,
        effect.virkningsdato,
        received,
        {"aarsag": effect.reason},
    )


def _reverse_coverings(
    conn: Connection, tenant: Tenant, aktion_id: str, claim_id: int, received: datetime, freed: dict[int, int]
) -> None:
    events = tables.events
    rows = conn.execute(
        sa.select(events)
        .where(
            events.c.tenant == tenant.key,
            events.c.fordring_id == claim_id,
            events.c.kind.in_(tuple(REVERSED)),
        )
        .order_by(events.c.id)
    ).all()
    for event in rows:
        data = dict(event.data) | {"tilbagefoert_dato": danish_date(received).isoformat()}
        if data.get("indbetaling") is not None:
            freed[data["indbetaling"]] = freed.get(data["indbetaling"], 0) + abs(event.amount_oere)
        record_event(
            conn,
            tenant,
            claim_id,
            aktion_id,
            REVERSED[event.kind],
            -event.amount_oere,
            date.fromisoformat(event.virkningsdato),
            received,
            data,
        )
        if event.kind == "DAEKNING":
            conn.execute(
                sa.update(_claims)
                .where(_claims.c.tenant == tenant.key, _claims.c.id == claim_id)
                .values(saldo_oere=_claims.c.saldo_oere - event.amount_oere)
            )
