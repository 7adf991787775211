"""The journal stays bounded per tenant, trimmed a little at a time: no call pays for a large delete."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import sqlalchemy as sa
from testkommune.simulators import journal as journal_module
from testkommune.simulators import store as store_module
from testkommune.simulators.store import Store
from testkommune.simulators.tenancy import Tenant

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEEP = 100
MOST_DELETED_BY_ONE_CALL = 25
"""A trim of 500 journal entries held the event loop 5-10 ms (and every call queued behind it)."""


def test_each_trim_deletes_a_few_rows_and_the_journal_stays_near_its_bound(monkeypatch) -> None:
    monkeypatch.setattr(journal_module, "JOURNAL_KEEP", KEEP)
    store = Store("sqlite://")
    store.ensure_tables()
    tenant = Tenant("851", "trim")
    count = sa.select(sa.func.count()).select_from(store_module.journal)
    sizes = []
    for n in range(600):
        with store.transaction() as conn:
            journal_module.journal(
                conn,
                tenant,
                now=NOW,
                counterpart="psrm",
                operation="MFFordringIndberet",
                method="POST",
                path="/psrm/MFFordringIndberet",
                status=200,
                request={"n": n},
                response={"ok": n},
            )
            sizes.append(conn.execute(count).scalar_one())
    largest_drop = max(before + 1 - after for before, after in itertools.pairwise(sizes))
    assert largest_drop <= MOST_DELETED_BY_ONE_CALL
    assert KEEP <= sizes[-1] <= KEEP + MOST_DELETED_BY_ONE_CALL
    with store.transaction() as conn:
        newest = conn.execute(sa.select(sa.func.max(store_module.journal.c.request))).scalar_one()
    assert newest is not None
    store.close()
