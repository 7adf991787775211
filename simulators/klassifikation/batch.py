"""The Klassifikationssystem's batch job: published sortiment versions handed to the subscribing ERP (SF7002)
when their delivery time has passed. It runs before the ERP's own job, so the ERP judges with them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from testkommune.simulators.batch import BatchJob, due_by
from testkommune.simulators.klassifikation import service, tables
from testkommune.simulators.tenancy import Tenant


def _earliest_undelivered(key: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """The earliest due time of a version not yet delivered (`service.lever_forfaldne`'s selection)."""
    s = tables.sortiment
    return (
        sa.select(sa.func.min(s.c.due_at))
        .where(s.c.tenant == key, s.c.delivered_at.is_(None), s.c.due_at.is_not(None))
        .scalar_subquery()
    )


def _deliver(conn: Connection, tenant: Tenant, settings: dict[str, Any], now: datetime) -> None:
    service.lever_forfaldne(conn, tenant, now)


JOBS = (BatchJob("klassifikation", _earliest_undelivered, _deliver, due=due_by),)
