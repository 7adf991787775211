"""A run of consecutive new claims (OPRETFORDRING) in PSRM's batch: judged in order, written set-based.

Each action is judged by its pure handler as it comes (`service._judge`), against a view that also counts the
claimant references the run's earlier actions booked (PSRM-486), the only state `opret_fordring` reads.
The run is then written in a fixed number of statements, whatever its length: its claims in one multi-row
INSERT … RETURNING (in the order the actions would book them one by one, so the ids are the same), the
related claims' main claim ids in one executemany UPDATE (inserted with none, as their main's id is not
known yet), the TILGANG events in one executemany and the action rows in one executemany per column set
(UDFOERT, AFVIST, HOERING). The rows are built by the same functions the per-action path uses
(`effekter.claim_row`, `booked_event`, `verdict_values`, `receipt_ids`). A run of one action is written as
any other action (`service._write`), which costs less.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from testkommune.simulators.psrm import tables
from testkommune.simulators.psrm.aktion import Verdict
from testkommune.simulators.psrm.effekter import (
    BOOK_CLAIM,
    booked_event,
    claim_row,
    prepared_update,
    receipt_ids,
    verdict_values,
)
from testkommune.simulators.psrm.state import Book, PsrmView, add_events
from testkommune.simulators.tenancy import Tenant

KODER = frozenset({"OPRETFORDRING"})
"""The action codes a run holds: those handled by `actions.opret_fordring` (handlers.py)."""

_claims = tables.claims
_BOOK_CLAIMS_IN_ORDER = sa.insert(_claims).returning(_claims.c.id, sort_by_parameter_order=True)
"""Core's insertmanyvalues: on PostgreSQL one statement that takes the ids in the rows' order (on SQLite it
would be one statement per row)."""

Judged = tuple[Any, Verdict]
"""An action row and its verdict."""


class RunView(PsrmView):
    """`PsrmView` while a run is judged: a claimant reference booked by an earlier action of the run, not
    yet written, is taken too."""

    def __init__(self, conn: Connection, tenant: Tenant) -> None:
        super().__init__(conn, tenant)
        self.booked_refs: set[str] = set()

    def claimant_ref_taken(self, ref: str) -> bool:
        return ref in self.booked_refs or super().claimant_ref_taken(ref)


class Run:
    """The judged actions not yet written, and the view the next one is judged against."""

    def __init__(self, conn: Connection, tenant: Tenant) -> None:
        self.view = RunView(conn, tenant)
        self._judged: list[Judged] = []

    def add(self, row: Any, verdict: Verdict) -> None:
        """Hold a judged action; an accepted one's claimant references count as taken from now on."""
        self._judged.append((row, verdict))
        if not verdict.errors and not verdict.hearing:
            self.view.booked_refs.update(_booked_refs(verdict))

    def take(self) -> list[Judged]:
        """The held actions, in order, leaving the run empty (their references are in the claims once
        written)."""
        judged, self._judged = self._judged, []
        self.view.booked_refs.clear()
        return judged


def _booked_refs(verdict: Verdict) -> list[str]:
    """The claimant references of the claims an accepted verdict books."""
    return [e.stamdata.reference for e in verdict.effects if isinstance(e, Book) and e.stamdata.reference]


@dataclass
class _Booking:
    """The claims rows of a run's accepted actions, in booking order, and what each row needs once its id
    is known."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    effects: list[tuple[Any, Book, datetime, int | None]] = field(default_factory=list)
    """Per row: its action row, its effect, the action's receipt time, the row index of its main claim."""


def write(conn: Connection, tenant: Tenant, settings: dict[str, Any], judged: list[Judged]) -> None:
    """Write a judged run: the same rows, ids and events as `service._write` one action at a time."""
    booking = _Booking()
    first_row: dict[str, int] = {}  # aktion_id -> row index of the first claim it books
    updates = []
    for row, verdict in judged:
        values = verdict_values(row, verdict)
        if values["status"] == "UDFOERT":
            first_row[row.aktion_id] = len(booking.rows)
            _add_claims(conn, tenant, settings, row, verdict, booking)
        updates.append((row.aktion_id, values))
    ids = _insert_claims(conn, booking.rows)
    _set_main_claims(conn, tenant, booking, ids)
    events = [
        booked_event(tenant, row, effect, ids[i], at)
        for i, (row, effect, at, _) in enumerate(booking.effects)
    ]
    add_events(conn, events)
    _update_actions(conn, tenant, updates, first_row, booking, ids)


def _add_claims(
    conn: Connection, tenant: Tenant, settings: dict[str, Any], row: Any, verdict: Verdict, booking: _Booking
) -> None:
    """An accepted new claim's rows: its main claim, then its related claims (their main's id set later)."""
    received = datetime.fromisoformat(row.received_at)
    main_index: int | None = None
    for effect in verdict.effects:
        assert isinstance(effect, Book) and effect.original_id is None and effect.kompleks_id is None, effect
        assert effect.parent in (None, "main"), "a new claim's related claims hang on its own main claim"
        parent = main_index if effect.parent == "main" else None
        if effect.kind == "HF":
            main_index = len(booking.rows)
        booking.rows.append(claim_row(conn, tenant, row, effect, None, received, settings))
        booking.effects.append((row, effect, received, parent))


def _insert_claims(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the rows in one statement; their ids in the rows' order.

    SQLite inserts a multi-row VALUES row by row, each id one above the highest, so the ids ascend in the
    rows' order (its RETURNING order is not promised); other databases are asked for the rows' order.
    """
    if not rows:
        return []
    if conn.dialect.name == "sqlite":
        return sorted(int(r[0]) for r in BOOK_CLAIM.returning_many(conn, rows))
    return [int(i) for i in conn.execute(_BOOK_CLAIMS_IN_ORDER, rows).scalars()]


def _set_main_claims(conn: Connection, tenant: Tenant, booking: _Booking, ids: list[int]) -> None:
    """Point the related claims at their main claim's id, in one statement."""
    related = [
        {"hovedfordring_id": ids[main], "k_tenant": tenant.key, "k_key": ids[i]}
        for i, (_, _, _, main) in enumerate(booking.effects)
        if main is not None
    ]
    if related:
        prepared_update(_claims, frozenset({"hovedfordring_id"})).execute_many(conn, related)


def _update_actions(
    conn: Connection,
    tenant: Tenant,
    updates: list[tuple[str, dict[str, Any]]],
    first_row: dict[str, int],
    booking: _Booking,
    ids: list[int],
) -> None:
    """Update the action rows, one executemany per column set."""
    by_columns: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    for aktion_id, values in updates:
        if aktion_id in first_row:
            first = first_row[aktion_id]
            main = booking.effects[first][3]
            values |= receipt_ids(ids[first], ids[main] if main is not None else ids[first])
        by_columns[frozenset(values)].append(values | {"k_tenant": tenant.key, "k_key": aktion_id})
    for columns, rows in by_columns.items():
        prepared_update(tables.actions, columns).execute_many(conn, rows)
