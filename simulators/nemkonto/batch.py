"""NemKonto's batch job: bundles answered (and paid out) when their processing time has passed."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from testkommune.simulators.batch import BatchJob
from testkommune.simulators.nemkonto import service, tables


def _bundles_in_process(key: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """Whether a bundle is being processed (`service.process_due`: UNDER_BEHANDLING)."""
    bundter = tables.bundter
    return sa.exists().where(bundter.c.tenant == key, bundter.c.status == "UNDER_BEHANDLING")


JOBS = (BatchJob("nemkonto", _bundles_in_process, service.process_due),)
