"""A tenant's ERP set-up: its omsætningstabel (stored, or the standard one) and its ERP settings.

Settings live in the tenant's settings under `erp` (`PATCH /admin/tenants/{k}/{s}/settings`):

| key | default | meaning |
|---|---|---|
| `straks` | `true` | whether the ERP takes ModtagFinansbilag (straks); refused `ERP-LEVERANCEFORM` when not |
| `masse` | `true` | whether the ERP takes ModtagFinansbilagMasse; refused `ERP-LEVERANCEFORM` when not |
| `masse_behandlingstid_sekunder` | `0` | how long after receipt a masseleverance's bilag are processed |
| `aabne_perioder` | `null` | open months `YYYY-MM`; `null`: this and the previous month of the clock |
| `kommune_cvr` | `null` | the kommune's CVR, accepted in `Myndighed.CVRNummer`; `null`: none accepted |
| `erpprofil` | `null` | which ERP's behaviour (contracts/reference/erpprofiler.json) supplies the defaults |
| `aabne_maaneder_bagud` | `1` | months before the current one left open when `aabne_perioder` is `null` |
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from testkommune.contracts.findings import Finding
from testkommune.simulators.erp import tables
from testkommune.simulators.erp.omsaetning import Omsaetningstabel, parse_tabel, standard_tabel
from testkommune.simulators.erp.profiles import profile_for
from testkommune.simulators.erp.rules import aabne_perioder
from testkommune.simulators.tenancy import Tenant, update_settings

DEFAULTS: dict[str, Any] = {
    "straks": True,
    "masse": True,
    "masse_behandlingstid_sekunder": 0,
    "aabne_perioder": None,
    "aabne_maaneder_bagud": 1,
    "kommune_cvr": None,
}
STORED_TEXT = sa.cast(tables.opsaetning.c.omsaetningstabel, sa.Text)
"""The stored table as its JSON text: the key under which its parsed form is kept (`tabel_of`)."""
_STORED = sa.select(STORED_TEXT.label("omsaetningstabel")).where(
    tables.opsaetning.c.tenant == sa.bindparam("tenant")
)


def erp_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The tenant's ERP settings with the defaults filled in: its ERP profile's, then its own."""
    profile = profile_for(settings)
    return DEFAULTS | (profile.settings() if profile else {}) | (settings.get("erp") or {})


def masse_delay(settings: dict[str, Any]) -> timedelta:
    return timedelta(seconds=int(erp_settings(settings)["masse_behandlingstid_sekunder"] or 0))


def perioder(settings: dict[str, Any], today: date) -> tuple[str, ...]:
    erp = erp_settings(settings)
    return aabne_perioder(erp["aabne_perioder"], today, int(erp["aabne_maaneder_bagud"]))


def set_perioder(conn: Connection, tenant: Tenant, months: list[str] | None) -> dict[str, Any]:
    """Configure the open months (None: back to the default); returns the new settings."""
    return update_settings(conn, tenant, {"erp": {"aabne_perioder": months}})


def tabel(conn: Connection, tenant: Tenant) -> Omsaetningstabel:
    """The tenant's omsætningstabel: the stored one, else the standard table."""
    row = conn.execute(_STORED, {"tenant": tenant.key}).first()
    return tabel_of(tenant, None if row is None else row.omsaetningstabel)


def tabel_of(tenant: Tenant, stored: str | None) -> Omsaetningstabel:
    """The table from the tenant's stored document as JSON text (None: none stored, the standard table)."""
    if stored is None:
        return standard_tabel()
    parsed = _parsed(stored)
    if isinstance(parsed, list):  # stored tables were checked when saved
        raise RuntimeError(f"stored omsætningstabel of {tenant.key} no longer parses: {parsed}")
    return parsed


@lru_cache(maxsize=64)
def _parsed(stored: str) -> Omsaetningstabel | list[Finding]:
    """A stored document parsed once per process (a table is immutable; a new one has other text)."""
    return parse_tabel(json.loads(stored))


def is_standard(conn: Connection, tenant: Tenant) -> bool:
    found = conn.execute(
        sa.select(tables.opsaetning.c.tenant).where(tables.opsaetning.c.tenant == tenant.key)
    ).first()
    return found is None


def gem_tabel(conn: Connection, tenant: Tenant, table: Omsaetningstabel, now: datetime) -> None:
    """Store the tenant's table (replacing any earlier one)."""
    conn.execute(sa.delete(tables.opsaetning).where(tables.opsaetning.c.tenant == tenant.key))
    conn.execute(
        sa.insert(tables.opsaetning).values(
            tenant=tenant.key, omsaetningstabel=table.document(), updated_at=now.isoformat()
        )
    )


def nulstil_tabel(conn: Connection, tenant: Tenant) -> None:
    """Back to the standard table."""
    conn.execute(sa.delete(tables.opsaetning).where(tables.opsaetning.c.tenant == tenant.key))
