"""What a simulator operation sees: one transaction, one tenant, the simulated now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Connection
from testkommune.contracts.clock import danish_date
from testkommune.simulators.tenancy import Tenant


@dataclass(frozen=True, slots=True)
class OpContext:
    conn: Connection
    tenant: Tenant
    now: datetime
    settings: dict[str, Any]

    @property
    def today(self) -> date:
        return danish_date(self.now)
