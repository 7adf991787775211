"""NemKonto's business operations (SF1590_E)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from simulators.tenancy import Tenant


def process_due(conn: Connection, tenant: Tenant, settings: dict[str, Any], now: datetime) -> None:
    """Answer the betalingsanmodninger whose time has come on the simulated clock."""
