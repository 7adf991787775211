"""The debitor system's batch jobs: PSRM's receipts and news taken home, the opkrævning run on the clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from testkommune.simulators.batch import BatchJob
from testkommune.simulators.debitor import opkraevning, overdragelse, tables
from testkommune.simulators.tenancy import Tenant


def _handed_over(key: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """Whether a claim waits for PSRM's word (`overdragelse.sync_from_psrm`: OVERDRAGET, HOERING, and
    UNDER_INDDRIVELSE for PSRM's later news, ANNULLERET for PSRM's word on a FEJL recall)."""
    claims = tables.claims
    handed_over = (tables.OVERDRAGET, tables.HOERING, tables.UNDER_INDDRIVELSE, tables.ANNULLERET)
    return sa.exists().where(claims.c.tenant == key, claims.c.state.in_(handed_over))


def _active_opkraevning(key: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """Whether an opkrævning is running (`opkraevning.process_due`: AKTIV)."""
    table = tables.opkraevning
    return sa.exists().where(table.c.tenant == key, table.c.status == "AKTIV")


def _sync_from_psrm(conn: Connection, tenant: Tenant, settings: dict[str, Any], now: datetime) -> None:
    overdragelse.sync_from_psrm(conn, tenant, now)


JOBS = (
    BatchJob("debitor", _handed_over, _sync_from_psrm),
    BatchJob("opkraevning", _active_opkraevning, opkraevning.process_due),
)
