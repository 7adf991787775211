"""PSRM's state as the rules see it (read-only), and the effects an accepted action has on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from testkommune.simulators.prepared import Prepared
from testkommune.simulators.psrm import tables
from testkommune.simulators.rules.stamdata import Stamdata
from testkommune.simulators.tenancy import Tenant

UNDER_INDDRIVELSE = "UNDER_INDDRIVELSE"
TILBAGEKALDT = "TILBAGEKALDT"
PENDING = ("MODTAGET", "HOERING", "AFVENTER_RIM")


@dataclass(frozen=True, slots=True)
class ClaimState:
    """One claim at PSRM: a main claim (HF), a related claim (RF) or a write-up claim (OPSKRIVNING)."""

    id: int
    hovedfordring_id: int | None
    kompleks_id: int | None
    original_id: int | None
    kind: str
    art: str
    aktion_id: str
    claimant_ref: str
    fordringstype: str
    status: str
    recall_reason: str | None
    statsrefusion: bool
    hovedstol: int
    saldo: int
    received_at: datetime
    snapshot: dict[str, Any]

    @property
    def recalled(self) -> bool:
        return self.status == TILBAGEKALDT

    @property
    def received_on(self) -> date:
        from testkommune.contracts.clock import danish_date

        return danish_date(self.received_at)


def _claim(row: Any) -> ClaimState:
    return ClaimState(
        id=row.id,
        hovedfordring_id=row.hovedfordring_id,
        kompleks_id=row.kompleks_id,
        original_id=row.original_id,
        kind=row.kind,
        art=row.art,
        aktion_id=row.aktion_id,
        claimant_ref=row.claimant_ref,
        fordringstype=row.fordringstype,
        status=row.status,
        recall_reason=row.recall_reason,
        statsrefusion=bool(row.statsrefusion),
        hovedstol=row.hovedstol_oere,
        saldo=row.saldo_oere,
        received_at=datetime.fromisoformat(row.received_at),
        snapshot=row.data.get("stamdata", {}),
    )


_claims, _actions, _events = tables.claims, tables.actions, tables.events
_TENANT: sa.BindParameter[str] = sa.bindparam("k_tenant")
# Built once per process, the hot path only binds values.
_CLAIM = sa.select(_claims).where(_claims.c.tenant == _TENANT, _claims.c.id == sa.bindparam("k_id"))
_ACTION = sa.select(_actions).where(
    _actions.c.tenant == _TENANT, _actions.c.aktion_id == sa.bindparam("k_id")
)
_PENDING_ON = sa.select(_actions.c.aktion_id).where(
    _actions.c.tenant == _TENANT,
    _actions.c.target_id == sa.bindparam("k_claim"),
    _actions.c.status.in_(PENDING),
    _actions.c.aktion_id != sa.bindparam("k_other"),
)
_REF_TAKEN = sa.select(sa.literal(1)).where(
    _claims.c.tenant == _TENANT,
    _claims.c.claimant_ref == sa.bindparam("k_ref"),
    _claims.c.original_id.is_(None),
)
_ADD_EVENT = Prepared(
    sa.insert(_events),
    ("tenant", "fordring_id", "aktion_id", "kind", "amount_oere", "virkningsdato", "booked_at", "data"),
)
_REF_TAKEN_FAST = Prepared(_REF_TAKEN)


class PsrmView:
    """Read-only queries over one tenant's PSRM state, for the rules."""

    def __init__(self, conn: Connection, tenant: Tenant) -> None:
        self.conn = conn
        self.tenant = tenant

    def claim(self, claim_id: int | str | None) -> ClaimState | None:
        if claim_id is None or not str(claim_id).isdigit():
            return None
        row = self.conn.execute(_CLAIM, {"k_tenant": self.tenant.key, "k_id": int(claim_id)}).first()
        return _claim(row) if row else None

    def kompleks(self, main_id: int) -> list[ClaimState]:
        """Everything that travels with a main claim: its related claims and its write-up claims."""
        table = tables.claims
        rows = self.conn.execute(
            sa.select(table)
            .where(
                table.c.tenant == self.tenant.key,
                sa.or_(table.c.hovedfordring_id == main_id, table.c.kompleks_id == main_id),
            )
            .order_by(table.c.id)
        ).all()
        return [_claim(r) for r in rows]

    def action(self, aktion_id: str) -> Any:
        return self.conn.execute(_ACTION, {"k_tenant": self.tenant.key, "k_id": aktion_id}).first()

    def cancelled_by(self, aktion_id: str) -> bool:
        """Has an accepted or pending action already cancelled `aktion_id`?"""
        table = tables.events
        return (
            self.conn.execute(
                sa.select(sa.literal(1)).where(
                    table.c.tenant == self.tenant.key, table.c.data["annullerer"].as_string() == aktion_id
                )
            ).first()
            is not None
        )

    def pending_on(self, claim_id: int, other_than: str) -> str | None:
        row = self.conn.execute(
            _PENDING_ON, {"k_tenant": self.tenant.key, "k_claim": claim_id, "k_other": other_than}
        ).first()
        return row.aktion_id if row else None

    def claimant_ref_taken(self, ref: str) -> bool:
        return _REF_TAKEN_FAST.first(self.conn, {"k_tenant": self.tenant.key, "k_ref": ref}) is not None


def event_values(
    tenant: Tenant,
    claim_id: int,
    aktion_id: str | None,
    kind: str,
    amount: int,
    virkningsdato: date,
    booked: datetime,
    data: dict[str, Any],
) -> dict[str, Any]:
    """The events row of one movement in a claim's ledger (`record_event`, `add_events`)."""
    return {
        "tenant": tenant.key,
        "fordring_id": claim_id,
        "aktion_id": aktion_id,
        "kind": kind,
        "amount_oere": amount,
        "virkningsdato": virkningsdato.isoformat(),
        "booked_at": booked.isoformat(),
        "data": data,
    }


def record_event(
    conn: Connection,
    tenant: Tenant,
    claim_id: int,
    aktion_id: str | None,
    kind: str,
    amount: int,
    virkningsdato: date,
    booked: datetime,
    data: dict[str, Any],
) -> None:
    """Append one event to a claim's ledger (the source of balances, interest, notifications and history)."""
    _ADD_EVENT.execute(
        conn, event_values(tenant, claim_id, aktion_id, kind, amount, virkningsdato, booked, data)
    )


def add_events(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Append events (`event_values` rows), in order: one statement, one execution per row."""
    if rows:
        _ADD_EVENT.execute_many(conn, rows)


# -- effects: what an accepted action changes ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Book:
    """Create a claim. `parent` is 'main' for the main claim booked by the same action, or a claim id."""

    stamdata: Stamdata
    kind: str
    art: str
    snapshot: dict[str, Any]
    statsrefusion: bool = False
    parent: int | str | None = None
    kompleks_id: int | None = None
    original_id: int | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """Move a claim's balance by `delta` øre (negative = write-down), effective `virkningsdato`."""

    claim_id: int
    delta: int
    kind: str
    virkningsdato: date
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SetPrincipal:
    claim_id: int
    hovedstol: int


@dataclass(frozen=True, slots=True)
class Recall:
    """Recall claims (a main claim takes its whole complex with it) with a reason code."""

    claim_ids: tuple[int, ...]
    reason: str
    virkningsdato: date


@dataclass(frozen=True, slots=True)
class Describe:
    claim_id: int
    beskrivelse: str | None


Effect = Book | Change | SetPrincipal | Recall | Describe
