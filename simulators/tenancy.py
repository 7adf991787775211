"""Tenants (anvendersystem × kommune), their settings and their simulated clock."""

from __future__ import annotations

import re
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from testkommune.contracts.clock import ClockState, danish_date, iso, real_now
from testkommune.simulators import store
from testkommune.simulators.access import AccessPolicy, Refusal

SYSTEM_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,59}$")
KOMMUNE_NR = re.compile(r"^[0-9]{3}$")

DEFAULT_SETTINGS: dict[str, Any] = {
    "psrm": {
        "behandlingstid_sekunder": 0,
        "fordringshaver_id": None,
        "tilladte_fordringstyper": None,
        "minimumsbeloeb": None,
    },
    "debitor": {"system_se": "29189846"},
}


@dataclass(frozen=True, slots=True)
class Tenant:
    """One vendor system in one kommune: every row of state belongs to exactly one."""

    kommune: str
    system: str

    @property
    def key(self) -> str:
        return f"{self.kommune}/{self.system}"

    @classmethod
    def parse(cls, kommune: str, system: str) -> Tenant | None:
        kommune = kommune[1:] if len(kommune) == 4 and kommune.startswith("0") else kommune
        if not KOMMUNE_NR.fullmatch(kommune) or not SYSTEM_ID.fullmatch(system):
            return None
        return cls(kommune, system)


def default_fordringshaver_id(tenant: Tenant) -> str:
    """Our stand-in for the 4-digit fordringshaver-ID Gældsstyrelsen assigns (psrm.md §1.1)."""
    return tenant.kommune.rjust(4, "0")


_SETTINGS = sa.select(store.tenants.c.settings).where(store.tenants.c.tenant == sa.bindparam("tenant"))
_CLOCK = sa.select(store.clocks).where(store.clocks.c.tenant == sa.bindparam("tenant"))
_ADD_TENANT = sa.insert(store.tenants)
_ADD_CLOCK = sa.insert(store.clocks)
# Prebuilt once: SQLAlchemy then skips building the expression and its cache key on every call.


def ensure_tenant(
    conn: Connection, tenant: Tenant, real: datetime, start: ClockState | None
) -> dict[str, Any]:
    """The tenant's settings, creating the tenant (and its clock) on first use."""
    row = conn.execute(_SETTINGS, {"tenant": tenant.key}).first()
    if row is not None:
        return row.settings
    return create_tenant(conn, tenant, real, start)


def create_tenant(
    conn: Connection, tenant: Tenant, real: datetime, start: ClockState | None
) -> dict[str, Any]:
    """Create the tenant with default settings and its clock; another process may do so at the same moment."""
    settings = deepcopy(DEFAULT_SETTINGS)
    settings["psrm"]["fordringshaver_id"] = default_fordringshaver_id(tenant)
    clock = start or ClockState.running_from(real, real)
    try:
        with conn.begin_nested():
            conn.execute(
                _ADD_TENANT,
                {
                    "tenant": tenant.key,
                    "kommune": tenant.kommune,
                    "system": tenant.system,
                    "settings": settings,
                    "created_at": iso(real),
                },
            )
            _write_clock(conn, tenant, clock, real, insert=True, event="start")
    except IntegrityError:
        return conn.execute(_SETTINGS, {"tenant": tenant.key}).one().settings
    return settings


def clock_of(row: Any) -> ClockState:
    """The clock held in a row with `anchor` and `real_anchor` columns."""
    return clock_from(row.anchor, row.real_anchor)


def clock_from(anchor: str, real_anchor: str | None) -> ClockState:
    """The clock from its two stored instants (ISO text)."""
    return ClockState(
        anchor=datetime.fromisoformat(anchor),
        real_anchor=datetime.fromisoformat(real_anchor) if real_anchor else None,
    )


def update_settings(conn: Connection, tenant: Tenant, changes: dict[str, Any]) -> dict[str, Any]:
    row = conn.execute(sa.select(store.tenants.c.settings).where(store.tenants.c.tenant == tenant.key)).one()
    settings = deepcopy(row.settings)
    for section, values in changes.items():
        settings.setdefault(section, {}).update(values)
    conn.execute(
        sa.update(store.tenants).where(store.tenants.c.tenant == tenant.key).values(settings=settings)
    )
    return settings


def read_clock(conn: Connection, tenant: Tenant) -> ClockState:
    return clock_of(conn.execute(_CLOCK, {"tenant": tenant.key}).one())


def now_of(conn: Connection, tenant_key: str) -> datetime:
    """Another tenant's simulated now (for what one tenant's call does to another's state)."""
    return clock_of(conn.execute(_CLOCK, {"tenant": tenant_key}).one()).now(real_now())


def set_clock(
    conn: Connection, tenant: Tenant, instant: datetime, *, running: bool, real: datetime
) -> ClockState:
    clock = read_clock(conn, tenant).set(instant, running=running, real=real)
    _write_clock(conn, tenant, clock, real, event="set")
    return clock


def advance_clock(conn: Connection, tenant: Tenant, delta: timedelta, real: datetime) -> ClockState:
    clock = read_clock(conn, tenant).advance(delta, real)
    _write_clock(conn, tenant, clock, real, event=f"advance {delta}")
    return clock


def clock_trajectory(conn: Connection, tenant: Tenant) -> list[dict[str, Any]]:
    row = conn.execute(sa.select(store.clocks.c.trajectory).where(store.clocks.c.tenant == tenant.key)).one()
    return list(row.trajectory)


def _write_clock(
    conn: Connection, tenant: Tenant, clock: ClockState, real: datetime, *, event: str, insert: bool = False
) -> None:
    point = {"event": event, "sim": iso(clock.now(real)), "real": iso(real), "running": clock.running}
    values = {
        "anchor": clock.anchor.isoformat(),
        "real_anchor": clock.real_anchor.isoformat() if clock.real_anchor else None,
    }
    if insert:
        conn.execute(_ADD_CLOCK, {"tenant": tenant.key, "trajectory": [point], **values})
        return
    trajectory = [*clock_trajectory(conn, tenant)[-199:], point]
    conn.execute(
        sa.update(store.clocks)
        .where(store.clocks.c.tenant == tenant.key)
        .values(trajectory=trajectory, **values)
    )


def clock_view(clock: ClockState, real: datetime) -> dict[str, Any]:
    now = clock.now(real)
    today: date = danish_date(now)
    return {"now": iso(now), "today": today.isoformat(), "running": clock.running}


def caller(access: AccessPolicy, headers: Mapping[str, str], operation: str) -> Tenant | Refusal | None:
    """The tenant a service call acts for, from its `X-TK-*` headers (lower-case keys), checked against its
    serviceaftale when the kommune is closed: the Refusal when it is refused, None when it names none."""
    kommune = headers.get("x-tk-kommune", "")
    system = headers.get("x-tk-anvendersystem", "")
    if not access.open:
        number = kommune[1:] if len(kommune) == 4 and kommune.startswith("0") else kommune
        allowed = access.service(headers.get("authorization"), number, system or None, operation)
        if isinstance(allowed, Refusal):
            return allowed
        system = allowed
    return Tenant.parse(kommune, system)
