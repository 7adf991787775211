"""The ØiR hub's part of the admin API: the deliveries it has answered for the tenant."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from testkommune.simulators.store import deliveries, plain
from testkommune.simulators.tenancy import Tenant


def state(conn: Connection, tenant: Tenant) -> dict[str, Any]:
    """The hub's part of the tenant's state (GET …/state): every delivery, without its stored answer."""
    rows = conn.execute(
        sa.select(deliveries).where(deliveries.c.tenant == tenant.key).order_by(deliveries.c.received_at)
    )
    return {"deliveries": [plain(r, exclude=("tenant", "response")) for r in rows]}
