"""The counterparts of the test kommune, each declared once with what it brings to the whole.

Every counterpart is a package of the same shape (`simulators/<counterpart>/`: `routes.py` its operations,
`admin.py` its admin routes and its part of the tenant's state, `tables.py` its tables, `service.py` its
business, `rules.py` its rules, `batch.py` its batch jobs). This list is the one place that knows them all:
the routes, the admin API, the OpenAPI document and the state endpoint are built from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection
from starlette.routing import Route
from testkommune.contracts.registry import Registry
from testkommune.simulators.batch import BatchJob
from testkommune.simulators.debitor import admin as debitor_admin
from testkommune.simulators.debitor import batch as debitor_batch
from testkommune.simulators.debitor import routes as debitor_routes
from testkommune.simulators.debitor import tables as debitor_tables
from testkommune.simulators.erp import admin as erp_admin
from testkommune.simulators.erp import batch as erp_batch
from testkommune.simulators.erp import routes as erp_routes
from testkommune.simulators.erp import tables as erp_tables
from testkommune.simulators.erp.rules import finansbilag_rules
from testkommune.simulators.klassifikation import admin as klassifikation_admin
from testkommune.simulators.klassifikation import batch as klassifikation_batch
from testkommune.simulators.klassifikation import routes as klassifikation_routes
from testkommune.simulators.klassifikation import tables as klassifikation_tables
from testkommune.simulators.nemkonto import admin as nemkonto_admin
from testkommune.simulators.nemkonto import batch as nemkonto_batch
from testkommune.simulators.nemkonto import routes as nemkonto_routes
from testkommune.simulators.nemkonto import tables as nemkonto_tables
from testkommune.simulators.nemkonto.rules import modtagekontrol, udbetalingskontrol
from testkommune.simulators.oir import admin as oir_admin
from testkommune.simulators.operations import Operation
from testkommune.simulators.psrm import admin as psrm_admin
from testkommune.simulators.psrm import batch as psrm_batch
from testkommune.simulators.psrm import routes as psrm_routes
from testkommune.simulators.psrm import tables as psrm_tables
from testkommune.simulators.psrm.handlers import HANDLERS
from testkommune.simulators.psrm.rules import ANSWERS, RECEIPT_CHECKS
from testkommune.simulators.rules.fordring import entry_rules, hoering_rules, psrm_filter
from testkommune.simulators.tenancy import Tenant

SCHEMA = (debitor_tables, psrm_tables, erp_tables, nemkonto_tables, klassifikation_tables)
"""The counterparts' tables modules: each registers its tables on `simulators.store.metadata`, so a `Store`
opened once this module is imported creates them (`Store.ensure_tables` for one opened before)."""

StatePart = Callable[[Connection, Tenant], dict[str, Any]]
"""(connection, tenant) → the counterpart's part of GET /admin/tenants/{kommune}/{system}/state."""


@dataclass(frozen=True, slots=True)
class Counterpart:
    """One counterpart: its operations, its admin routes and its part of the tenant's state."""

    name: str
    operations: tuple[Operation, ...] = ()
    admin_routes: Callable[[], list[Route]] | None = None
    state: StatePart | None = None


COUNTERPARTS: tuple[Counterpart, ...] = (
    Counterpart("debitor", debitor_routes.OPERATIONS, debitor_admin.admin_routes, debitor_admin.state),
    Counterpart("psrm", psrm_routes.OPERATIONS, psrm_admin.admin_routes, psrm_admin.state),
    Counterpart("oir", state=oir_admin.state),
    Counterpart("erp", erp_routes.OPERATIONS, erp_admin.admin_routes),
    Counterpart("nemkonto", nemkonto_routes.OPERATIONS, nemkonto_admin.admin_routes),
    Counterpart("klassifikation", klassifikation_routes.OPERATIONS, klassifikation_admin.admin_routes),
)
"""In the order their operations are routed and their parts of the state are listed."""


BATCH_JOBS: Registry[BatchJob] = Registry(
    "batch jobs",
    [
        *psrm_batch.JOBS,
        *klassifikation_batch.JOBS,
        *erp_batch.JOBS,
        *debitor_batch.JOBS,
        *nemkonto_batch.JOBS,
    ],
)
"""Every counterpart's batch jobs in the order they run before a call: PSRM first (its processing and
payments), so the debitor system takes PSRM's word home in the same call; the Klassifikationssystem's
deliveries before the ERP's, so the ERP judges with the sortiment it has received by now."""


def registries() -> tuple[Registry[Any], ...]:
    """Every registry of the simulators that declares catalogue codes: rule sets, PSRM's action handlers and
    its other checks, the batch jobs. `Simulation` refuses to start when one declares a code the error
    catalogue lacks."""
    return (
        entry_rules,
        hoering_rules,
        psrm_filter,
        HANDLERS,
        RECEIPT_CHECKS,
        ANSWERS,
        finansbilag_rules,
        modtagekontrol,
        udbetalingskontrol,
        BATCH_JOBS,
    )


def admin_routes() -> list[Route]:
    """Every counterpart's admin routes."""
    return [route for c in COUNTERPARTS if c.admin_routes is not None for route in c.admin_routes()]
