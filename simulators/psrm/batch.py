"""PSRM's batch jobs: actions processed when due (the entry filter, hearings decided), payments applied."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from testkommune.contracts.clock import danish_date
from testkommune.simulators.batch import BatchJob, due_by
from testkommune.simulators.psrm import inddrivelse, service, tables
from testkommune.simulators.tenancy import Tenant


def _earliest_due_action(key: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """The earliest due time of the tenant's unfinished actions (`service.process_due`: MODTAGET and
    AFVENTER_RIM), so a call before it skips the batch."""
    actions = tables.actions
    return (
        sa.select(sa.func.min(actions.c.due_at))
        .where(actions.c.tenant == key, actions.c.status.in_(("MODTAGET", "AFVENTER_RIM")))
        .scalar_subquery()
    )


def _waiting_payments(key: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """Whether a payment waits for its date (`inddrivelse.apply_due_payments`: VENTER)."""
    payments = tables.payments
    return sa.exists().where(payments.c.tenant == key, payments.c.status == "VENTER")


def _apply_payments(conn: Connection, tenant: Tenant, settings: dict[str, Any], now: datetime) -> None:
    inddrivelse.apply_due_payments(conn, tenant, danish_date(now), now)


JOBS = (
    BatchJob("psrm", _earliest_due_action, service.process_due, due=due_by, step=service.process_step),
    BatchJob("payments", _waiting_payments, _apply_payments),
)
