"""The tenant's journal: every exchange with a counterpart as received and as answered, bounded per tenant."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import NoResultFound
from testkommune.contracts.clock import iso, real_now
from testkommune.simulators import store
from testkommune.simulators.prepared import Prepared
from testkommune.simulators.tenancy import Tenant, read_clock

JOURNAL_KEEP = 5000
TRIM_EVERY = 25
"""The journal is trimmed whenever an id is a multiple of this, so one trim deletes about this many rows: at
500 a trim deleted 500 entries of a few kB each and held the call, and every call behind it, 5-10 ms
(seen every ~0.7 s at 730 calls/s as the event loop's only stalls; `benchmarks/run_http.py --levels`)."""
JOURNAL_TEXT_LIMIT = 64 * 1024

_JOURNAL_COLUMNS = (
    "tenant",
    "sim_time",
    "real_time",
    "counterpart",
    "operation",
    "method",
    "path",
    "status",
    "request",
    "response",
)
_JOURNAL_INSERT = Prepared(sa.insert(store.journal).returning(store.journal.c.id), _JOURNAL_COLUMNS)
_JOURNAL_TRIM = sa.delete(store.journal).where(
    store.journal.c.tenant == sa.bindparam("tenant"), store.journal.c.id <= sa.bindparam("upto")
)


def journal(
    conn: Connection,
    tenant: Tenant,
    *,
    now: datetime,
    counterpart: str,
    operation: str,
    method: str,
    path: str,
    status: int,
    request: Any,
    response: Any,
) -> None:
    """Record one exchange (bounded per tenant) as evidence of what was sent and answered."""
    cursor = _JOURNAL_INSERT.execute(
        conn,
        {
            "tenant": tenant.key,
            "sim_time": iso(now),
            "real_time": iso(real_now()),
            "counterpart": counterpart,
            "operation": operation,
            "method": method,
            "path": path,
            "status": status,
            "request": _text(request),
            "response": _text(response),
        },
    )
    row_id = int(cursor.fetchone()[0])
    if row_id % TRIM_EVERY == 0:
        conn.execute(_JOURNAL_TRIM, {"tenant": tenant.key, "upto": row_id - JOURNAL_KEEP})


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= JOURNAL_TEXT_LIMIT else text[:JOURNAL_TEXT_LIMIT] + "…"


def journal_apart(state: Any, tenant: Tenant, **entry: Any) -> None:
    """`journal` one exchange for `tenant` at its simulated now, in a transaction of its own (`state`: the
    simulation's store); nothing for a tenant that has never been called (it has no clock yet)."""
    with state.transaction() as conn:
        try:
            clock = read_clock(conn, tenant)
        except NoResultFound:
            return
        journal(conn, tenant, now=clock.now(real_now()), **entry)
