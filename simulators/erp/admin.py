"""Admin routes of the ERP under /admin/tenants/{kommune}/{system}/erp: the books, the omsætningstabel,
the open periods, a bilag with its forretningskvittering, and the nulsumtest report."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.routing import Route
from testkommune.contracts.findings import Finding
from testkommune.simulators.admin.endpoint import Body, Later
from testkommune.simulators.admin.endpoint import admin_endpoint as _endpoint
from testkommune.simulators.context import OpContext
from testkommune.simulators.erp import nulsum, opsaetning, views
from testkommune.simulators.erp.kontoplan import kontoplan_document
from testkommune.simulators.erp.omsaetning import parse_tabel
from testkommune.simulators.http import whole_number

_T = "/admin/tenants/{kommune}/{system}/erp"


def _kontoplan(ctx: OpContext, request: Request, body: Body) -> tuple[int, Any]:
    return 200, {"Kontoplan": kontoplan_document()}


def _omsaetningstabel(ctx: OpContext, request: Request, body: Body) -> tuple[int, Any]:
    """GET the tenant's table; PUT replaces it (checked against the kontoplan); DELETE: the standard."""
    if request.method == "PUT" and body is not None:
        parsed = parse_tabel(body, keep_sortiment=opsaetning.tabel(ctx.conn, ctx.tenant))
        if isinstance(parsed, list):
            return 400, parsed
        opsaetning.gem_tabel(ctx.conn, ctx.tenant, parsed, ctx.now)
    elif request.method == "DELETE":
        opsaetning.nulstil_tabel(ctx.conn, ctx.tenant)
    return 200, {
        "Standard": opsaetning.is_standard(ctx.conn, ctx.tenant),
        "Omsaetningstabel": opsaetning.tabel(ctx.conn, ctx.tenant).document(),
    }


def _perioder(ctx: OpContext, request: Request, body: Body) -> tuple[int, Any]:
    """GET the open months (`?dato=YYYY-MM-DD`: as they will be on that day by the tenant's rule, e.g. its
    ERP profile's period closing); PUT {"ÅbnePerioder": [...] | null} sets them (null: the default)."""
    settings = ctx.settings
    if request.method == "PUT" and body is not None:
        settings = opsaetning.set_perioder(ctx.conn, ctx.tenant, body["ÅbnePerioder"])
    day = ctx.today
    if request.method == "GET" and "dato" in request.query_params:
        asked = request.query_params["dato"]
        try:
            day = date.fromisoformat(asked)
        except ValueError:
            detail = {"detail": "dato is not a day YYYY-MM-DD", "value": asked}
            return 400, Finding("ADMIN-UGYLDIG", "$.dato", detail)
    erp = opsaetning.erp_settings(settings)
    return 200, {
        "Dato": day.isoformat(),
        "Standard": erp["aabne_perioder"] is None,
        "MånederBagud": int(erp["aabne_maaneder_bagud"]),
        "ÅbnePerioder": list(opsaetning.perioder(settings, day)),
    }


def _posteringer(ctx: OpContext, request: Request, body: Body) -> tuple[int, Any]:
    """GET ?kontostreng=<start of the text form, e.g. 5.25.14/1> &bilag=<BilagID> &limit=N (default 1000,
    at most 5000) &after=<the previous page's Næste>."""
    params = request.query_params
    return 200, views.posteringer(
        ctx.conn,
        ctx.tenant,
        params.get("kontostreng"),
        params.get("bilag"),
        after=whole_number(params.get("after", "0"), "after"),
        limit=whole_number(params.get("limit", str(views.PAGE)), "limit"),
    )


def _bilag(ctx: OpContext, request: Request, body: Body) -> tuple[int, Any]:
    """GET every bilag with this BilagID or of the delivery with this TransaktionsID."""
    ident = request.path_params["ident"]
    rows = views.bilag_rows(ctx.conn, ctx.tenant, ident)
    if not rows:
        return 404, Finding("ERP-BILAG-UKENDT", "$", {"value": ident})
    return 200, Later(lambda: {"Bilag": [views.bilag_view(row) for row in rows]})


def _nulsumtest(ctx: OpContext, request: Request, body: Body) -> tuple[int, Any]:
    """GET the report; POST {"Forventet": [...]} also checks each line against its expected kontostreng."""
    ident = request.path_params["ident"]
    rows = views.bilag_rows(ctx.conn, ctx.tenant, ident)
    if not rows:
        return 404, Finding("ERP-BILAG-UKENDT", "$", {"value": ident})
    expected = (body or {}).get("Forventet", [])
    return 200, Later(lambda: nulsum.report(ident, rows, expected))


def admin_routes() -> list[Route]:
    """The ERP's admin routes (to be mounted beside `simulators.admin.routes.admin_routes()`)."""
    return [
        Route(f"{_T}/kontoplan", _endpoint(_kontoplan), methods=["GET"]),
        Route(
            f"{_T}/omsaetningstabel",
            _endpoint(_omsaetningstabel, {"PUT": "erp/Omsaetningstabel_I"}),
            methods=["GET", "PUT", "DELETE"],
        ),
        Route(f"{_T}/perioder", _endpoint(_perioder, {"PUT": "erp/Perioder_I"}), methods=["GET", "PUT"]),
        Route(f"{_T}/posteringer", _endpoint(_posteringer), methods=["GET"]),
        Route(f"{_T}/bilag/{{ident}}", _endpoint(_bilag), methods=["GET"]),
        Route(
            f"{_T}/nulsumtest/{{ident}}",
            _endpoint(_nulsumtest, {"POST": "erp/Nulsumtest_I"}),
            methods=["GET", "POST"],
        ),
    ]
