"""The test kommune as one ASGI application: ØiR, the debitor system, PSRM and the admin API."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from testkommune.contracts.clock import ClockState
from testkommune.contracts.findings import Finding
from testkommune.simulators.access import AccessPolicy
from testkommune.simulators.admin.attestation import attestation_routes
from testkommune.simulators.admin.routes import admin_routes
from testkommune.simulators.counterparts import admin_routes as counterpart_admin_routes
from testkommune.simulators.http import problem
from testkommune.simulators.invariants_routes import invariants_routes
from testkommune.simulators.legacy_shapes import LegacyShapes
from testkommune.simulators.openapi import openapi_document
from testkommune.simulators.routes import ServiceFastPath, service_routes
from testkommune.simulators.simulation import Simulation
from testkommune.simulators.soap.binding import SoapBinding
from testkommune.simulators.store import DEFAULT_URL, Store

log = logging.getLogger("testkommune.simulators")


async def _openapi(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return problem(405, "Method not allowed", [Finding("HTTP-METODE", "$", {"value": request.method})])
    if exc.status_code == 404:
        return problem(404, "Not found", [Finding("HTTP-IKKE-FUNDET", "$", {"value": request.url.path})])
    return problem(exc.status_code, str(exc.detail), [])


async def _crash(request: Request, exc: Exception) -> Response:
    error_id = uuid.uuid4().hex[:12]
    log.exception("error %s while handling %s %s", error_id, request.method, request.url.path)
    return problem(500, "Internal error", [Finding("HTTP-INTERN-FEJL", "$", {"value": error_id})])


class AdminGuard:
    """ASGI guard: /admin/* (but /admin/health) needs the admin credentials when the kommune is closed."""

    def __init__(self, app: Any, sim: Simulation) -> None:
        self.app = app
        self.sim = sim

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/admin/") and path != "/admin/health":
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
            refusal = self.sim.access.admin(headers.get("authorization"), path)
            if refusal is not None:
                response = problem(refusal.status, "Admin credentials needed", [refusal.finding])
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(
    store_url: str = DEFAULT_URL, *, start_clock: ClockState | None = None, access: AccessPolicy | None = None
) -> Starlette:
    """Build the test kommune; contracts are compiled and reference data loaded before it serves."""
    sim = Simulation(store=Store(store_url), start_clock=start_clock, access=access or AccessPolicy())
    services = service_routes()
    app = Starlette(
        routes=[
            *services,
            *admin_routes(),
            *attestation_routes(),
            *counterpart_admin_routes(),
            *invariants_routes(),
            Route("/openapi.json", _openapi, methods=["GET"]),
        ],
        exception_handlers={HTTPException: _http_error, Exception: _crash},
    )
    app.state.sim = sim
    app.state.openapi = openapi_document(sim.contracts, app.routes, closed=not sim.access.open)
    app.add_middleware(AdminGuard, sim=sim)
    app.add_middleware(ServiceFastPath, routes=services)  # inside SOAP and the old shapes' translation
    app.add_middleware(LegacyShapes)  # PSRM's old JSON shapes, for one release (contracts/legacy_shapes.py)
    app.add_middleware(SoapBinding)  # SOAP 1.1 on the SOAP addresses (simulators/soap)
    return app


def sim_of(app: Any) -> Simulation:
    return app.state.sim
