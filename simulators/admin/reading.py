"""Read-only admin views read beside the event loop, where the store allows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool
from testkommune.simulators.context import Simulator

T = TypeVar("T")


async def read_apart(sim: Simulator, read: Callable[[Connection], T]) -> T:
    """A read-only view's `read`, in a transaction of its own: in a worker thread where the store lets a
    reader run beside the event loop's writer, so a view of 5,000 claims (4 MB) does not hold the loop; on
    the loop in memory. The caller settles the tenant's due batch work first (`batch.settle`)."""

    def run() -> T:
        with sim.store.transaction() as conn:
            return read(conn)

    if sim.store.reads_beside_writer:
        return await run_in_threadpool(run)
    return run()
