"""What a simulator operation sees: one transaction, one tenant, the simulated now; and what an admin
endpoint sees of the running simulation (`Simulator`)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.engine import Connection
from testkommune.contracts.clock import danish_date
from testkommune.contracts.schemas import ContractSet
from testkommune.simulators.faults import Fault
from testkommune.simulators.store import Store
from testkommune.simulators.tenancy import Tenant


@dataclass(frozen=True, slots=True)
class OpContext:
    conn: Connection
    tenant: Tenant
    now: datetime
    settings: dict[str, Any]
    backlog: bool = False
    """Asked for bounded batch work (`operation(bounded=True)`): one part is done and more is due; the caller
    ends this transaction without doing its own work and comes back (`simulators.batch.settle`)."""

    @property
    def today(self) -> date:
        return danish_date(self.now)


class Simulator(Protocol):
    """What the admin endpoints use of the running simulation (`simulators.simulation.Simulation`, reached
    as `request.app.state.sim`), so that the counterparts' admin routes need not import the composition."""

    store: Store
    contracts: ContractSet
    faults: dict[str, list[Fault]]
    counterparts: tuple[Any, ...]

    def operation(
        self, tenant: Tenant, *, grouped: bool = False, bounded: bool = False
    ) -> AbstractContextManager[OpContext]: ...
