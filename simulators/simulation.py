"""The composition root of the simulators: store, contracts, clocks, faults, and the per-call context."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from testkommune.contracts.catalogue import error_catalogue
from testkommune.contracts.clock import ClockState, danish_date, real_now
from testkommune.contracts.fordringstyper import fordringstyper
from testkommune.contracts.schemas import ContractSet, contract_set
from testkommune.simulators import store
from testkommune.simulators.access import AccessPolicy
from testkommune.simulators.context import OpContext
from testkommune.simulators.counterparts import COUNTERPARTS, Counterpart
from testkommune.simulators.debitor import opkraevning
from testkommune.simulators.debitor import service as debitor
from testkommune.simulators.debitor import tables as debitor_tables
from testkommune.simulators.erp import service as erp
from testkommune.simulators.erp import tables as erp_tables
from testkommune.simulators.faults import Fault, take
from testkommune.simulators.nemkonto import service as nemkonto
from testkommune.simulators.nemkonto import tables as nemkonto_tables
from testkommune.simulators.prepared import Prepared
from testkommune.simulators.psrm import inddrivelse
from testkommune.simulators.psrm import service as psrm
from testkommune.simulators.psrm import tables as psrm_tables
from testkommune.simulators.rules.fordring import hoering_rules, psrm_filter
from testkommune.simulators.tenancy import Tenant, clock_from, create_tenant

_FAULT_LOCK = threading.Lock()


@dataclass
class Simulation:
    """Everything the HTTP shells need; one per server process."""

    store: store.Store
    contracts: ContractSet = field(default_factory=contract_set)
    start_clock: ClockState | None = None
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    access: AccessPolicy = field(default_factory=AccessPolicy)
    counterparts: tuple[Counterpart, ...] = COUNTERPARTS

    def __post_init__(self) -> None:
        self.contracts.compile_all()
        missing = psrm_filter.check_against(error_catalogue()) + hoering_rules.check_against(
            error_catalogue()
        )
        if missing:
            raise RuntimeError(f"rules raise codes missing from the error catalogue: {missing}")
        fordringstyper()

    @contextmanager
    def operation(self, tenant: Tenant, *, grouped: bool = False) -> Iterator[OpContext]:
        """One transaction for one call: the tenant's settings and now, with due batch work done first.

        One statement reads the settings, the clock and which batch jobs have work pending. On SQLite (one
        writer) the batch runs inside the call's transaction. On PostgreSQL, where several worker processes
        share the state, it runs first in its own short transaction under a per-tenant advisory lock, so two
        workers never process the same due work and the lock is not held for the rest of the call.
        `grouped`: a service call that awaits `store.pending_commit()` before it answers (group commit). In
        a group the first call of a tenant does its due batch work and the others of the same turn do not:
        they arrived together, and none of their clients has seen an answer of this turn yet, so no client
        can tell (a call that follows an answer always starts a later turn, and its first call catches up).
        """
        real = real_now()
        begin = self.store.call_transaction if grouped else self.store.transaction
        with begin() as conn:
            settings, clock, flags = _open(conn, tenant, real, self.start_clock)
            now = clock.now(real)
            pending = _pending(flags, now)
            if grouped and self.store.caught_up_this_turn(tenant.key):
                pending = frozenset()
            if pending and self.store.shared:
                self.store.lock_tenant(conn, tenant.key)
                catch_up(conn, tenant, settings, now, pending)
                conn.commit()  # the batch is durable on its own; the lock is released
            else:
                catch_up(conn, tenant, settings, now, pending)
            yield OpContext(conn=conn, tenant=tenant, now=now, settings=settings)
        if grouped:
            self.store.mark_caught_up(tenant.key)

    def take_fault(
        self, tenant: Tenant, phase: tuple[str, ...], operation: str, counterpart: str, now: datetime
    ) -> Fault | None:
        with _FAULT_LOCK:  # on PostgreSQL calls run in a threadpool: a one-shot fault fires once
            return take(self.faults.get(tenant.key, []), phase, operation, counterpart, now)


ALL_JOBS = frozenset({"psrm", "payments", "erp", "debitor", "opkraevning", "nemkonto"})


def catch_up(
    conn: Connection,
    tenant: Tenant,
    settings: dict[str, Any],
    now: datetime,
    pending: frozenset[str] = ALL_JOBS,
) -> None:
    """Run the batch jobs whose time has come on the simulated clock (PSRM processing, receipts back).

    `pending` names the jobs that have unfinished work at all (see `_pending_columns`); the others have
    nothing that could be due and are skipped. Without `pending`, every job runs.
    """
    if "psrm" in pending:
        psrm.process_due(conn, tenant, settings, now)
    if "payments" in pending:
        inddrivelse.apply_due_payments(conn, tenant, danish_date(now), now)
    if "erp" in pending:
        erp.process_due(conn, tenant, settings, now)
    if "debitor" in pending:
        debitor.sync_from_psrm(conn, tenant, now)
    if "opkraevning" in pending:
        opkraevning.process_due(conn, tenant, settings, now)
    if "nemkonto" in pending:
        nemkonto.process_due(conn, tenant, settings, now)


def _pending_columns() -> dict[str, Any]:
    """Per batch job, an indexed EXISTS that is true when the job has any unfinished work for the tenant
    (for PSRM, the earliest due time of its unfinished actions, so a call before it skips the batch).

    Each must select a superset of what its job's `process_due` selects (minus the due-time condition), or
    due work would be skipped: psrm.process_due (MODTAGET, AFVENTER_RIM), inddrivelse.apply_due_payments
    (VENTER), erp.process_due (UNDER_BEHANDLING), debitor.sync_from_psrm (claims OVERDRAGET, HOERING or
    UNDER_INDDRIVELSE), opkraevning.process_due (opkrævning AKTIV), nemkonto.process_due (UNDER_BEHANDLING).
    A job whose selection grows must widen its check here.
    """
    key = store.tenants.c.tenant
    actions, payments, bilag = psrm_tables.actions, psrm_tables.payments, erp_tables.bilag
    claims = debitor_tables.claims
    bundter = nemkonto_tables.bundter
    return {
        "psrm": sa.select(sa.func.min(actions.c.due_at))
        .where(actions.c.tenant == key, actions.c.status.in_(("MODTAGET", "AFVENTER_RIM")))
        .scalar_subquery(),
        "payments": sa.exists().where(payments.c.tenant == key, payments.c.status == "VENTER"),
        "erp": sa.exists().where(bilag.c.tenant == key, bilag.c.status == "UNDER_BEHANDLING"),
        "debitor": sa.exists().where(
            claims.c.tenant == key,
            claims.c.state.in_((debitor.OVERDRAGET, debitor.HOERING, debitor.UNDER_INDDRIVELSE)),
        ),
        "opkraevning": sa.exists().where(
            debitor_tables.opkraevning.c.tenant == key, debitor_tables.opkraevning.c.status == "AKTIV"
        ),
        "nemkonto": sa.exists().where(bundter.c.tenant == key, bundter.c.status == "UNDER_BEHANDLING"),
    }


@cache
def _open_statement() -> sa.Select[Any]:
    """Settings, clock and pending-work flags of one tenant in one statement, built once per process."""
    flags = [column.label(f"pending_{job}") for job, column in _pending_columns().items()]
    return (
        sa.select(store.tenants.c.settings, store.clocks.c.anchor, store.clocks.c.real_anchor, *flags)
        .select_from(store.tenants.join(store.clocks, store.clocks.c.tenant == store.tenants.c.tenant))
        .where(store.tenants.c.tenant == sa.bindparam("tenant"))
    )


_OPEN = Prepared(_open_statement())


def _open(
    conn: Connection, tenant: Tenant, real: datetime, start: ClockState | None
) -> tuple[dict[str, Any], ClockState, dict[str, Any]]:
    row = _OPEN.first(conn, {"tenant": tenant.key})
    if row is None:
        create_tenant(conn, tenant, real, start)
        row = _OPEN.first(conn, {"tenant": tenant.key})
        assert row is not None
    clock = clock_from(row["anchor"], row["real_anchor"])
    return row["settings"], clock, {job: row[f"pending_{job}"] for job in ALL_JOBS}


def _pending(flags: dict[str, Any], now: datetime) -> frozenset[str]:
    """The jobs with work that may be due at `now` (PSRM's due times compare as the ISO text it stores)."""
    jobs = {job for job, flag in flags.items() if flag and job != "psrm"}
    if flags["psrm"] is not None and flags["psrm"] <= now.isoformat():
        jobs.add("psrm")
    return frozenset(jobs)
