"""Admin routes of the Klassifikationssystem under /admin/tenants/{kommune}/{system}/klassifikation: the ERP's
SF7002 subscription (with every version and its delivery) and the sortiment values the ERP cannot map yet."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route
from testkommune.simulators.admin.endpoint import Body
from testkommune.simulators.admin.endpoint import admin_endpoint as endpoint
from testkommune.simulators.context import OpContext
from testkommune.simulators.klassifikation import service

_T = "/admin/tenants/{kommune}/{system}/klassifikation"


def _abonnement(ctx: OpContext, request: Request, body: Body) -> tuple[int, Any]:
    """GET the subscription and every version with its delivery; PUT {"Aktiv", "LeveringstidSekunder"}."""
    service.lever_forfaldne(ctx.conn, ctx.tenant, ctx.now)
    settings = ctx.settings
    if request.method == "PUT" and body is not None:
        settings = service.set_abonnement(ctx, body)
        service.lever_forfaldne(ctx.conn, ctx.tenant, ctx.now)
    config = service.settings_of(settings)
    all_versions = service.versions(ctx.conn, ctx.tenant)
    return 200, {
        "Abonnent": service.ABONNENT,
        "Aktiv": bool(config["abonnement"]),
        "LeveringstidSekunder": int(config["leveringstid_sekunder"] or 0),
        "AktuelVersion": all_versions[-1].version,
        "ModtagetVersion": service.modtaget_version(all_versions),
        "Versioner": [
            {
                "Version": v.version,
                "PubliceretTidspunkt": v.published_at,
                "LeveresTidspunkt": v.due_at,
                "LeveretTidspunkt": v.delivered_at,
                "Tilsidesat": list(v.dropped),
            }
            for v in all_versions[1:]
        ],
    }


def _umappede(ctx: OpContext, request: Request, body: Body) -> tuple[int, Any]:
    """GET the values of the ERP's sortiment without an omsætningstabel entry (KP MI 24's to-do)."""
    service.lever_forfaldne(ctx.conn, ctx.tenant, ctx.now)
    all_versions = service.versions(ctx.conn, ctx.tenant)
    found = service.umappede(ctx.conn, ctx.tenant)
    return 200, {
        "ModtagetVersion": service.modtaget_version(all_versions),
        "Antal": len(found),
        "Umappede": found,
    }


def admin_routes() -> list[Route]:
    """The Klassifikationssystem's admin routes (mounted beside the other counterparts' admin routes)."""
    return [
        Route(
            f"{_T}/abonnement",
            endpoint(_abonnement, {"PUT": "klassifikation/Abonnement_I"}),
            methods=["GET", "PUT"],
        ),
        Route(f"{_T}/umappede", endpoint(_umappede), methods=["GET"]),
    ]
