"""The fagsystem's klassifikation and sortiment, versioned, and their SF7002 delivery to the ERP.

Version 1 of a tenant's sortiment is the standard sortiment (`contracts/erp/standard_omsaetningstabel.json`),
which the ERP holds from the start, so nothing changes for a tenant that never publishes. The fagsystem
publishes a whole new version with `PublicerSortiment`; the klassifikation is every value any version ever
named. The ERP subscribes (SF7002, KP MI 04) unless the kommune switched it off; a version reaches the ERP
`leveringstid_sekunder` after publication on the simulated clock (0: at once, in the publishing call), and
from then on the ERP's sortiment is that version: values it drops become unknown to the ERP, and
omsætningstabel entries naming them are set aside (recorded on the version as `dropped`).

Settings live in the tenant's settings under `klassifikation`:

| key | default | meaning |
|---|---|---|
| `abonnement` | `true` | whether published versions reach the ERP |
| `leveringstid_sekunder` | `0` | how long after publication a version reaches the ERP |
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from testkommune.contracts.clock import iso
from testkommune.contracts.findings import Finding, describe_all, json_path
from testkommune.simulators.context import OpContext
from testkommune.simulators.erp import api as erp
from testkommune.simulators.klassifikation import tables
from testkommune.simulators.tenancy import Tenant, update_settings

HUB_SERVICE = "Klassifikation.PublicerSortiment"
ABONNENT = "bogfoeringssystem"
STANDARD_VERSION = 1
DEFAULTS: dict[str, Any] = {"abonnement": True, "leveringstid_sekunder": 0}


@dataclass(frozen=True, slots=True)
class Version:
    """One version of the sortiment: its number, name, values and when it was published (None: standard)."""

    version: int
    navn: str | None
    vaerdier: tuple[dict[str, Any], ...]
    published_at: str | None
    due_at: str | None = None
    delivered_at: str | None = None
    dropped: tuple[dict[str, Any], ...] = ()


def settings_of(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The tenant's klassifikation settings with the defaults filled in."""
    return DEFAULTS | (settings.get("klassifikation") or {})


def set_abonnement(ctx: OpContext, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Switch the subscription or its delay; switching it on schedules the newest undelivered version now."""
    section: dict[str, Any] = {}
    if "Aktiv" in changes:
        section["abonnement"] = bool(changes["Aktiv"])
    if "LeveringstidSekunder" in changes:
        section["leveringstid_sekunder"] = int(changes["LeveringstidSekunder"])
    settings = update_settings(ctx.conn, ctx.tenant, {"klassifikation": section})
    if settings_of(settings)["abonnement"]:
        newest = _rows(ctx.conn, ctx.tenant)[-1:]
        if newest and newest[0].delivered_at is None and newest[0].due_at is None:
            ctx.conn.execute(
                sa.update(tables.sortiment)
                .where(
                    tables.sortiment.c.tenant == ctx.tenant.key,
                    tables.sortiment.c.version == newest[0].version,
                )
                .values(due_at=ctx.now.isoformat())
            )
    return settings


def standard_version() -> Version:
    raw = erp.standard_sortiment()
    return Version(STANDARD_VERSION, raw.get("Navn"), tuple(raw["Værdier"]), None)


def versions(conn: Connection, tenant: Tenant) -> list[Version]:
    """Every version, oldest first, the standard one included."""
    return [standard_version(), *_rows(conn, tenant)]


def _rows(conn: Connection, tenant: Tenant) -> list[Version]:
    table = tables.sortiment
    rows = conn.execute(sa.select(table).where(table.c.tenant == tenant.key).order_by(table.c.version)).all()
    return [
        Version(
            row.version,
            row.navn,
            tuple(row.vaerdier),
            row.published_at,
            row.due_at,
            row.delivered_at,
            tuple(row.dropped or ()),
        )
        for row in rows
    ]


def klassifikation(all_versions: list[Version]) -> dict[str, dict[str, Any]]:
    """Every value any version named, by lower-case UUID (the newest title wins)."""
    found: dict[str, dict[str, Any]] = {}
    for version in all_versions:
        for value in version.vaerdier:
            found[value["Id"].lower()] = value | {"Id": value["Id"].lower()}
    return found


def soeg(conn: Connection, tenant: Tenant, dimension: str | None, kode: str | None) -> list[dict[str, Any]]:
    """SF1510 Soeg: the klassifikation's values, by klassifikation and by code or UUID (either optional)."""
    all_versions = versions(conn, tenant)
    current = {v["Id"].lower() for v in all_versions[-1].vaerdier}
    return [
        value | {"IAktueltSortiment": value["Id"] in current}
        for value in klassifikation(all_versions).values()
        if (dimension is None or value["Klassifikation"] == dimension)
        and (kode is None or kode in (value["Kode"], value["Id"]) or kode.lower() == value["Id"])
    ]


def sortiment_view(version: Version, current: int) -> dict[str, Any]:
    return {
        "Version": version.version,
        "Aktuel": version.version == current,
        "Navn": version.navn,
        "PubliceretTidspunkt": version.published_at,
        "Værdier": list(version.vaerdier),
    }


def check_sortiment(values: list[dict[str, Any]], known: Mapping[str, dict[str, Any]]) -> Iterator[Finding]:
    """Rules for a new version: each UUID and (klassifikation, code) once; a known UUID keeps its meaning."""
    ids: set[str] = set()
    codes: set[tuple[str, str]] = set()
    for i, value in enumerate(values):
        path = json_path("Sortiment", "Værdier", i)
        uid, code = value["Id"].lower(), (value["Klassifikation"], value["Kode"])
        if uid in ids:
            yield Finding("KLS-VAERDI-DUBLET", f"{path}.Id", {"field": "Id", "value": uid})
        if code in codes:
            yield Finding("KLS-VAERDI-DUBLET", f"{path}.Kode", {"field": code[0], "value": code[1]})
        ids.add(uid)
        codes.add(code)
        earlier = known.get(uid)
        if earlier is not None and (earlier["Klassifikation"], earlier["Kode"]) != code:
            yield Finding(
                "KLS-VAERDI-UOVERENSSTEMMELSE",
                f"{path}.Id",
                {"value": uid, "expected": f"{earlier['Klassifikation']} {earlier['Kode']}"},
            )


def publicer(ctx: OpContext, message: dict[str, Any], transaktions_id: str) -> dict[str, Any]:
    """PublicerSortiment: store the new version and schedule its delivery to the subscribing ERP."""
    all_versions = versions(ctx.conn, ctx.tenant)
    values = message["Sortiment"]["Værdier"]
    findings = list(check_sortiment(values, klassifikation(all_versions)))
    if findings:
        return {"Status": "AFVIST", "Fejl": describe_all(findings)}
    number = all_versions[-1].version + 1
    config = settings_of(ctx.settings)
    due = ctx.now + timedelta(seconds=int(config["leveringstid_sekunder"] or 0))
    ctx.conn.execute(
        sa.insert(tables.sortiment).values(
            tenant=ctx.tenant.key,
            version=number,
            navn=message["Sortiment"].get("Navn"),
            vaerdier=[v | {"Id": v["Id"].lower()} for v in values],
            transaktions_id=transaktions_id,
            published_at=ctx.now.isoformat(),
            due_at=due.isoformat() if config["abonnement"] else None,
        )
    )
    lever_forfaldne(ctx.conn, ctx.tenant, ctx.now)
    answer: dict[str, Any] = {"Status": "PUBLICERET", "Version": number, "PubliceretTidspunkt": iso(ctx.now)}
    abonnenter = [{"Abonnent": ABONNENT, "LeveresTidspunkt": iso(due)}] if config["abonnement"] else []
    return answer | {"Abonnenter": abonnenter, "Fejl": []}


def lever_forfaldne(conn: Connection, tenant: Tenant, now: datetime) -> int:
    """SF7002: hand every version due by `now` to the ERP, oldest first; returns how many were delivered."""
    table = tables.sortiment
    due = conn.execute(
        sa.select(table)
        .where(
            table.c.tenant == tenant.key,
            table.c.delivered_at.is_(None),
            table.c.due_at.is_not(None),
            table.c.due_at <= now.isoformat(),
        )
        .order_by(table.c.version)
    ).all()
    for row in due:
        when = datetime.fromisoformat(row.due_at)
        dropped = erp.modtag_sortiment(conn, tenant, row.navn, row.vaerdier, when)
        conn.execute(
            sa.update(table).where(table.c.id == row.id).values(delivered_at=row.due_at, dropped=dropped)
        )
    return len(due)


def modtaget_version(all_versions: list[Version]) -> int:
    """The newest version the ERP has received (1: the standard one)."""
    delivered = [v.version for v in all_versions if v.delivered_at is not None]
    return max(delivered, default=STANDARD_VERSION)


def umappede(conn: Connection, tenant: Tenant) -> list[dict[str, Any]]:
    """The ERP's sortiment values no omsætningstabel entry maps (the finance staff's to-do, KP MI 24)."""
    return erp.umappede(conn, tenant)
