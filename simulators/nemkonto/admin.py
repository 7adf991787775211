"""Admin routes of NemKonto under /admin/tenants/{kommune}/{system}/nemkonto: the tenant's bundles with their
forretningssvar, its payments and payouts, its NemKonto register (add a payee's account), its settings."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route
from testkommune.contracts.findings import Finding
from testkommune.simulators.admin.endpoint import Body
from testkommune.simulators.admin.endpoint import admin_endpoint as _endpoint
from testkommune.simulators.context import OpContext
from testkommune.simulators.nemkonto import opsaetning, views

_T = "/admin/tenants/{kommune}/{system}/nemkonto"
_ID_PATTERNS = {"CPR": 10, "CVR": 8, "SE": 8}


def _bundter(ctx: OpContext, request: Request, body: Body) -> tuple[int, Any]:
    rows = views.bundle_rows(ctx.conn, ctx.tenant)
    return 200, {"Bundter": [views.bundle_view(ctx.conn, row) for row in rows]}


def _bundt(ctx: OpContext, request: Request, body: Body) -> tuple[int, Any]:
    """GET the bundles with this GrpId or TransaktionsID."""
    ident = request.path_params["ident"]
    rows = views.bundle_rows(ctx.conn, ctx.tenant, ident)
    if not rows:
        return 404, Finding("NK-BUNDT-UKENDT", "$", {"value": ident})
    return 200, {"Bundter": [views.bundle_view(ctx.conn, row) for row in rows]}


def _betalinger(ctx: OpContext, request: Request, body: Body) -> tuple[int, Any]:
    return 200, {"Betalinger": views.betalinger(ctx.conn, ctx.tenant)}


def _register(ctx: OpContext, request: Request, body: Body) -> tuple[int, Any]:
    return 200, {"Register": opsaetning.register_view(ctx.conn, ctx.tenant)}


def _konto(ctx: OpContext, request: Request, body: Body) -> tuple[int, Any]:
    """GET the payee's NemKonto; PUT gives the payee one (contract nemkonto/Register_I)."""
    kind, number = request.path_params["type"].upper(), request.path_params["nummer"]
    if _ID_PATTERNS.get(kind) != len(number) or not number.isdigit():
        detail = "type is CPR (10 digits), CVR or SE (8 digits)"
        return 400, Finding("ADMIN-UGYLDIG", "$", {"detail": detail, "value": f"{kind}/{number}"})
    if request.method == "PUT" and body is not None:
        opsaetning.add_account(ctx.conn, ctx.tenant, kind, number, body, ctx.now)
    account = opsaetning.nemkonto_of(ctx.conn, ctx.tenant, kind, number)
    if account is None:
        return 404, Finding("NK-NEMKONTO-MANGLER", "$", {"field": kind, "value": number})
    return 200, {"Type": kind, "Nummer": number, "NemKonto": account}


def _indstillinger(ctx: OpContext, request: Request, body: Body) -> tuple[int, Any]:
    """GET the NemKonto settings; PATCH changes some (contract nemkonto/Indstillinger_I)."""
    if request.method == "PATCH" and body is not None:
        return 200, {"Indstillinger": opsaetning.set_settings(ctx.conn, ctx.tenant, body)}
    return 200, {"Indstillinger": opsaetning.nemkonto_settings(ctx.settings)}


def admin_routes() -> list[Route]:
    """NemKonto's admin routes (mounted beside `simulators.admin.routes.admin_routes()`)."""
    return [
        Route(f"{_T}/bundter", _endpoint(_bundter), methods=["GET"]),
        Route(f"{_T}/bundter/{{ident}}", _endpoint(_bundt), methods=["GET"]),
        Route(f"{_T}/betalinger", _endpoint(_betalinger), methods=["GET"]),
        Route(f"{_T}/register", _endpoint(_register), methods=["GET"]),
        Route(
            f"{_T}/register/{{type}}/{{nummer}}",
            _endpoint(_konto, {"PUT": "nemkonto/Register_I"}),
            methods=["GET", "PUT"],
        ),
        Route(
            f"{_T}/indstillinger",
            _endpoint(_indstillinger, {"PATCH": "nemkonto/Indstillinger_I"}),
            methods=["GET", "PATCH"],
        ),
    ]
