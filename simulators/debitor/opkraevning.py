"""The debitor system's own opkrævning: due dates, rykker, fees, renter, hand-over once SRB has passed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from simulators.tenancy import Tenant


def process_due(conn: Connection, tenant: Tenant, settings: dict[str, Any], now: datetime) -> None:
    """Run the opkrævning steps whose time has come on the simulated clock."""
