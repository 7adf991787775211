"""The ERP's batch job: masseleverance bilag answered when their processing time has passed."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from testkommune.simulators.batch import BatchJob
from testkommune.simulators.erp import service, tables


def _bilag_in_process(key: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """Whether a bilag is being processed (`service.process_due`: UNDER_BEHANDLING)."""
    bilag = tables.bilag
    return sa.exists().where(bilag.c.tenant == key, bilag.c.status == "UNDER_BEHANDLING")


JOBS = (BatchJob("erp", _bilag_in_process, service.process_due, step=service.process_step),)
