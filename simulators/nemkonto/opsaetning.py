"""A tenant's NemKonto set-up: its settings and its simulated NemKonto register.

Settings live in the tenant's settings under `nemkonto`
(`PATCH /admin/tenants/{k}/{s}/nemkonto/indstillinger`, contract `nemkonto/Indstillinger_I`):

| key | default | meaning |
|---|---|---|
| `behandlingstid_sekunder` | `0` | how long after receipt NemKonto answers a bundle (at the next call) |
| `modregning` | `true` | benefit payouts (`Betalingsart: YDELSE`) are first set off against due claims |

The register every tenant starts with is `contracts/nemkonto/nemkonto_register.json`; a tenant's own entries
(`nemkonto_register`) are added by the admin API and take precedence.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from testkommune.contracts.schemas import contract_set
from testkommune.simulators.nemkonto import tables
from testkommune.simulators.tenancy import Tenant, update_settings

DEFAULTS: dict[str, Any] = {"behandlingstid_sekunder": 0, "modregning": True}
REGISTER_FILE = ("nemkonto", "nemkonto_register.json")


def nemkonto_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The tenant's NemKonto settings with the defaults filled in."""
    return DEFAULTS | (settings.get("nemkonto") or {})


def delay(settings: dict[str, Any]) -> timedelta:
    return timedelta(seconds=int(nemkonto_settings(settings)["behandlingstid_sekunder"] or 0))


def set_settings(conn: Connection, tenant: Tenant, changes: dict[str, Any]) -> dict[str, Any]:
    """Change some NemKonto settings; returns them with the defaults filled in."""
    return nemkonto_settings(update_settings(conn, tenant, {"nemkonto": changes}))


@cache
def standard_register() -> dict[tuple[str, str], dict[str, Any]]:
    """(type, number) → account of the register every tenant starts with."""
    path = contract_set().root.joinpath(*REGISTER_FILE)
    document = json.loads(path.read_text(encoding="utf-8"))
    return {
        (e["Type"], e["Nummer"]): {
            "Registreringsnummer": e["Registreringsnummer"],
            "Kontonummer": e["Kontonummer"],
            "Navn": e.get("Navn"),
        }
        for e in document["konti"]
    }


def nemkonto_of(conn: Connection, tenant: Tenant, kind: str, number: str) -> dict[str, Any] | None:
    """The payee's NemKonto account (Registreringsnummer, Kontonummer, Navn), or None: no NemKonto."""
    table = tables.register
    row = conn.execute(
        sa.select(table).where(
            table.c.tenant == tenant.key, table.c.ident_type == kind, table.c.ident == number
        )
    ).first()
    if row is not None:
        return {
            "Registreringsnummer": row.registreringsnummer,
            "Kontonummer": row.kontonummer,
            "Navn": row.navn,
        }
    return standard_register().get((kind, number))


def register_view(conn: Connection, tenant: Tenant) -> list[dict[str, Any]]:
    """Every payee with a NemKonto in this tenant: the standard register overlaid with the tenant's own."""
    table = tables.register
    entries = {key: value | {"Kilde": "STANDARD"} for key, value in standard_register().items()}
    for row in conn.execute(sa.select(table).where(table.c.tenant == tenant.key)):
        entries[(row.ident_type, row.ident)] = {
            "Registreringsnummer": row.registreringsnummer,
            "Kontonummer": row.kontonummer,
            "Navn": row.navn,
            "Kilde": "TENANT",
        }
    return [{"Type": k[0], "Nummer": k[1]} | v for k, v in sorted(entries.items())]


def add_account(
    conn: Connection, tenant: Tenant, kind: str, number: str, account: dict[str, Any], now: datetime
) -> None:
    """Give a payee a NemKonto account in this tenant (replacing an earlier one)."""
    table = tables.register
    conn.execute(
        sa.delete(table).where(
            table.c.tenant == tenant.key, table.c.ident_type == kind, table.c.ident == number
        )
    )
    conn.execute(
        sa.insert(table).values(
            tenant=tenant.key,
            ident_type=kind,
            ident=number,
            registreringsnummer=account["Registreringsnummer"],
            kontonummer=account["Kontonummer"],
            navn=account.get("Navn"),
            added_at=now.isoformat(),
        )
    )
