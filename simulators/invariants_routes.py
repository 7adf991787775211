"""Admin route GET /admin/tenants/{kommune}/{system}/invarianter: the cross-system bookkeeping invariants of
one tenant (`simulators.invariants`), each with ok and its violations, after the due batch work has run."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from testkommune.simulators.admin.reading import read_apart
from testkommune.simulators.admin.routes import tenant_endpoint
from testkommune.simulators.batch import settle
from testkommune.simulators.context import Simulator
from testkommune.simulators.http import ok
from testkommune.simulators.invariants import check_all, read_tilstand
from testkommune.simulators.tenancy import Tenant


@tenant_endpoint
async def invarianter(request: Request, sim: Simulator, tenant: Tenant) -> Response:
    await settle(sim, tenant)  # due batch work first, in parts: others are answered
    results = await read_apart(sim, lambda conn: check_all(read_tilstand(conn, tenant)))
    return ok({"tenant": tenant.key, "ok": all(r["ok"] for r in results), "invarianter": results})


def invariants_routes() -> list[Route]:
    return [Route("/admin/tenants/{kommune}/{system}/invarianter", invarianter, methods=["GET"])]
