"""A batch job of a counterpart: work that falls due on the simulated clock and runs before a call.

Each counterpart declares its jobs in its own `batch.py`; `simulators.counterparts.BATCH_JOBS` lists them in
the order they run. Every job brings the query that tells whether it has unfinished work at all, so one
opening statement per call says which jobs to run (see `simulators.simulation`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from testkommune.simulators.context import OpContext, Simulator
from testkommune.simulators.tenancy import Tenant

Run = Callable[[Connection, Tenant, dict[str, Any], datetime], Any]
"""(connection, tenant, settings, now) → runs the work due by now."""
Step = Callable[[Connection, Tenant, dict[str, Any], datetime], bool]
"""(connection, tenant, settings, now) → runs a bounded part of the work due by now; True: more may be due."""
Pending = Callable[[sa.ColumnElement[Any]], sa.ColumnElement[Any]]
"""(the tenant key column of the opening statement) → a scalar subquery or EXISTS over the job's own table."""


def has_work(flag: Any, now: datetime) -> bool:
    """The usual reading of a pending flag: an EXISTS that is true when there is unfinished work."""
    return bool(flag)


def due_by(flag: Any, now: datetime) -> bool:
    """The reading of a pending flag that is the earliest due time (ISO text, as stored): due by `now`."""
    return flag is not None and flag <= now.isoformat()


@dataclass(frozen=True, slots=True)
class BatchJob:
    """One batch job: its name, its pending query, when its flag means work is due, and its run.

    `pending` must select a superset of what `run` selects (minus the due-time condition), or due work
    would be skipped; a job whose selection grows must widen its pending query with it.
    """

    name: str
    pending: Pending
    run: Run
    due: Callable[[Any, datetime], bool] = has_work
    codes: tuple[str, ...] = ()
    step: Step | None = None
    """A bounded part of `run`, for a job whose due work can be large (500 masse bilag): a caller that can
    free the event loop between parts asks for parts (`Simulation.operation(bounded=True)`)."""


async def settle(sim: Simulator, tenant: Tenant) -> None:
    """Do the tenant's due batch work in bounded parts, each its own committed transaction, letting the
    event loop answer other calls between them (an admin call that moved the clock)."""
    while True:
        with sim.operation(tenant, bounded=True) as ctx:
            if not ctx.backlog:
                return
        await asyncio.sleep(0)


@asynccontextmanager
async def settled(sim: Simulator, tenant: Tenant) -> AsyncIterator[OpContext]:
    """`sim.operation(tenant)` once its due batch work is done in bounded parts (`settle`): an admin call's
    transaction, with the event loop free between the parts."""
    await settle(sim, tenant)
    with sim.operation(tenant) as ctx:
        yield ctx
