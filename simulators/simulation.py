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
from testkommune.contracts.clock import ClockState, real_now
from testkommune.contracts.fordringstyper import fordringstyper
from testkommune.contracts.registry import Registry
from testkommune.contracts.schemas import ContractSet, contract_set
from testkommune.simulators import store
from testkommune.simulators.access import AccessPolicy
from testkommune.simulators.batch import BatchJob
from testkommune.simulators.context import OpContext
from testkommune.simulators.counterparts import BATCH_JOBS, COUNTERPARTS, Counterpart, registries
from testkommune.simulators.faults import Fault, take
from testkommune.simulators.prepared import Prepared
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
    jobs: Registry[BatchJob] = BATCH_JOBS

    def __post_init__(self) -> None:
        self.store.ensure_tables()  # the counterparts' tables (`simulators.counterparts`) exist
        self.contracts.compile_all()
        catalogue = error_catalogue()
        missing = sorted({code for registry in registries() for code in registry.check_against(catalogue)})
        if missing:
            raise RuntimeError(f"registries declare codes missing from the error catalogue: {missing}")
        fordringstyper()

    @contextmanager
    def operation(
        self, tenant: Tenant, *, grouped: bool = False, bounded: bool = False
    ) -> Iterator[OpContext]:
        """One transaction for one call: the tenant's settings and now, with due batch work done first.

        One statement reads the settings, the clock and which batch jobs have work pending. On SQLite (one
        writer) the batch runs inside the call's transaction. On PostgreSQL, where several worker processes
        share the state, it runs first in its own short transaction under a per-tenant advisory lock, so two
        workers never process the same due work and the lock is not held for the rest of the call.
        `grouped`: a service call that awaits `store.pending_commit()` before it answers (group commit). In
        a group the first call of a tenant does its due batch work and the others of the same turn do not:
        they arrived together, and none of their clients has seen an answer of this turn yet, so no client
        can tell (a call that follows an answer always starts a later turn, and its first call catches up).
        `bounded`: a job with a `step` does one bounded part of its due work; when more is due, the context
        says `backlog` and the caller ends the transaction at once and comes back, so a large batch (500 masse
        bilag) is done in parts, each committed, with the event loop and SQLite's writer free in between.
        """
        real = real_now()
        begin = self.store.call_transaction if grouped else self.store.transaction
        with begin() as conn:
            settings, clock, flags = _open(conn, tenant, real, self.start_clock, self.jobs)
            now = clock.now(real)
            pending = _pending(self.jobs, flags, now)
            if grouped and self.store.caught_up_this_turn(tenant.key):
                pending = frozenset()
            if pending and self.store.shared:
                self.store.lock_tenant(conn, tenant.key)
                backlog = catch_up(conn, tenant, settings, now, pending, self.jobs, bounded=bounded)
                conn.commit()  # the batch is durable on its own; the lock is released
            else:
                backlog = catch_up(conn, tenant, settings, now, pending, self.jobs, bounded=bounded)
            yield OpContext(conn=conn, tenant=tenant, now=now, settings=settings, backlog=backlog)
        if grouped and not backlog:
            self.store.mark_caught_up(tenant.key)

    def take_fault(
        self, tenant: Tenant, phase: tuple[str, ...], operation: str, counterpart: str, now: datetime
    ) -> Fault | None:
        with _FAULT_LOCK:  # on PostgreSQL calls run in a threadpool: a one-shot fault fires once
            return take(self.faults.get(tenant.key, []), phase, operation, counterpart, now)


def catch_up(
    conn: Connection,
    tenant: Tenant,
    settings: dict[str, Any],
    now: datetime,
    pending: frozenset[str] | None = None,
    jobs: Registry[BatchJob] = BATCH_JOBS,
    *,
    bounded: bool = False,
) -> bool:
    """Run the batch jobs whose time has come on the simulated clock, in the order `jobs` lists them.

    `pending` names the jobs that have unfinished work at all (each job's `pending` query, read by the
    opening statement); the others have nothing that could be due and are skipped. Without it, every job
    runs. `bounded`: a job with a `step` runs one part and the jobs after it wait; True when more is due.
    """
    for job in jobs:
        if pending is None or job.name in pending:
            if bounded and job.step is not None:
                if job.step(conn, tenant, settings, now):
                    return True
            else:
                job.run(conn, tenant, settings, now)
    return False


@cache
def _open_statement(jobs: Registry[BatchJob]) -> Prepared:
    """Settings, clock and every job's pending flag of one tenant in one statement, built once per process
    (per registry of jobs)."""
    key = store.tenants.c.tenant
    flags = [job.pending(key).label(f"pending_{job.name}") for job in jobs]
    return Prepared(
        sa.select(store.tenants.c.settings, store.clocks.c.anchor, store.clocks.c.real_anchor, *flags)
        .select_from(store.tenants.join(store.clocks, store.clocks.c.tenant == store.tenants.c.tenant))
        .where(store.tenants.c.tenant == sa.bindparam("tenant"))
    )


def _open(
    conn: Connection, tenant: Tenant, real: datetime, start: ClockState | None, jobs: Registry[BatchJob]
) -> tuple[dict[str, Any], ClockState, dict[str, Any]]:
    opening = _open_statement(jobs)
    row = opening.first(conn, {"tenant": tenant.key})
    if row is None:
        create_tenant(conn, tenant, real, start)
        row = opening.first(conn, {"tenant": tenant.key})
        assert row is not None
    clock = clock_from(row["anchor"], row["real_anchor"])
    return row["settings"], clock, {job.name: row[f"pending_{job.name}"] for job in jobs}


def _pending(jobs: Registry[BatchJob], flags: dict[str, Any], now: datetime) -> frozenset[str]:
    """The jobs with work that may be due at `now`, each reading its own flag (`BatchJob.due`)."""
    return frozenset(job.name for job in jobs if job.due(flags[job.name], now))
