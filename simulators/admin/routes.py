"""Admin routes under /admin: what tests, scenarios and operators use to steer and inspect a tenant."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from testkommune.contracts.clock import check_supported, parse_duration, parse_instant, real_now
from testkommune.contracts.findings import Finding
from testkommune.contracts.jsontext import dumps_bytes
from testkommune.contracts.schemas import contract_set
from testkommune.simulators import store
from testkommune.simulators.admin.reading import read_apart
from testkommune.simulators.attestation import fold
from testkommune.simulators.batch import settle, settled
from testkommune.simulators.context import Simulator
from testkommune.simulators.faults import Fault
from testkommune.simulators.http import BadRequestError, ok, ok_rendered, problem, read_json, whole_number
from testkommune.simulators.tenancy import (
    Tenant,
    advance_clock,
    clock_trajectory,
    clock_view,
    read_clock,
    set_clock,
    update_settings,
)


def _tenant(request: Request) -> Tenant:
    tenant = Tenant.parse(request.path_params["kommune"], request.path_params["system"])
    if tenant is None:
        raise BadRequestError(
            problem(
                400,
                "Unknown tenant",
                [
                    Finding(
                        "ADMIN-UGYLDIG", "$", {"detail": "kommune must be 3 digits, system a lowercase id"}
                    )
                ],
            )
        )
    return tenant


TenantHandler = Callable[[Request, Simulator, Tenant], Awaitable[Response]]


def tenant_endpoint(handler: TenantHandler) -> Callable[[Request], Awaitable[Response]]:
    """An admin endpoint for one tenant: resolves it, and answers any BadRequestError with its problem."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request, request.app.state.sim, _tenant(request))
        except BadRequestError as refused:
            return refused.response

    return endpoint


async def checked_body(request: Request, sim: Simulator, contract: str) -> Any:
    """The call's JSON body checked against `contract`; BadRequestError with the problem when it breaks it."""
    body = await read_json(request)
    _check(sim, contract, body)
    return body


def _check(sim: Simulator, contract: str, body: Any) -> None:
    problems = sim.contracts.get(contract).check(body)
    if problems:
        raise BadRequestError(problem(400, "Invalid admin call", problems))


def _in_range(instant: datetime) -> datetime:
    try:
        return check_supported(instant)
    except ValueError as exc:
        raise _invalid(str(exc)) from None


def _invalid(detail: str) -> BadRequestError:
    return BadRequestError(
        problem(400, "Invalid admin call", [Finding("ADMIN-UGYLDIG", "$", {"detail": detail})])
    )


async def health(request: Request) -> Response:
    sim: Simulator = request.app.state.sim
    return ok({"status": "ok", "contracts": sim.contracts.version(), "store": sim.store.url.split("://")[0]})


@tenant_endpoint
async def clock(request: Request, sim: Simulator, tenant: Tenant) -> Response:
    """GET the simulated now; POST {"set": iso, "running": bool}, {"advance": "3d"} or {"advance_to": iso}."""
    body = await read_json(request) if request.method == "POST" else {}
    if request.method == "POST":
        _check(sim, "admin/Ur_I", body)
    async with settled(sim, tenant) as ctx:
        real = real_now()
        state = read_clock(ctx.conn, tenant)
        try:
            if "set" in body:
                target = _in_range(parse_instant(body["set"]))
                state = set_clock(ctx.conn, tenant, target, running=bool(body.get("running")), real=real)
            elif "advance" in body:
                delta = parse_duration(str(body["advance"]))
                _in_range(state.now(real) + delta)
                state = advance_clock(ctx.conn, tenant, delta, real)
            elif "advance_to" in body:
                target = _in_range(parse_instant(body["advance_to"]))
                state = advance_clock(ctx.conn, tenant, target - state.now(real), real)
            elif body:
                raise _invalid("use one of: set, advance, advance_to")
        except (ValueError, TypeError, OverflowError) as exc:
            raise _invalid(str(exc)) from None
    if body:  # the batch jobs due by the new now run before anyone reads (in parts: others are answered)
        await settle(sim, tenant)
    return ok(clock_view(state, real_now()) | {"tenant": tenant.key})


@tenant_endpoint
async def reset(request: Request, sim: Simulator, tenant: Tenant) -> Response:
    sim.store.reset_tenant(tenant.key, before=lambda conn: fold(conn, tenant))  # an attestation's record
    sim.faults.pop(tenant.key, None)
    return ok({"tenant": tenant.key, "reset": True})


@tenant_endpoint
async def settings(request: Request, sim: Simulator, tenant: Tenant) -> Response:
    """GET the tenant's settings; PATCH {"psrm": {"behandlingstid_sekunder": 3600}} to change some."""
    body = await read_json(request) if request.method == "PATCH" else None
    if body is not None:
        _check(sim, "admin/Indstillinger_I", body)
    async with settled(sim, tenant) as ctx:
        current = update_settings(ctx.conn, tenant, body) if body else ctx.settings
    return ok({"tenant": tenant.key, "settings": current})


@tenant_endpoint
async def faults(request: Request, sim: Simulator, tenant: Tenant) -> Response:
    """POST a fault (contract admin/Fejl_I; see simulators/faults.py), DELETE removes all; GET lists them."""
    if request.method == "POST":
        body = await read_json(request)
        _check(sim, "admin/Fejl_I", body)
        window = {k: parse_instant(body[k]) for k in ("window_from", "window_to") if k in body}
        if body["kind"] == "service_window" and len(window) != 2:
            raise _invalid("a service_window needs window_from and window_to")
        fault = Fault(
            kind=body["kind"],
            name=body.get("name", body["kind"]),
            operation=body.get("operation", "*"),
            counterpart=body.get("counterpart", "*"),
            count=body.get("count", 1) if body["kind"] != "service_window" else body.get("count"),
            probability=body.get("probability", 1.0),
            seed=body.get("seed", 0),
            delay_ms=body.get("delay_ms", 0),
            window_from=window.get("window_from"),
            window_to=window.get("window_to"),
        )
        sim.faults.setdefault(tenant.key, []).append(fault)
    elif request.method == "DELETE":
        sim.faults.pop(tenant.key, None)
    listed = [f.view() for f in sim.faults.get(tenant.key, [])]
    return ok({"tenant": tenant.key, "faults": listed})


@tenant_endpoint
async def state(request: Request, sim: Simulator, tenant: Tenant) -> Response:
    """What the tenant's counterparts hold, each counterpart giving its own part (`Counterpart.state`)."""
    await settle(sim, tenant)  # due batch work first, in parts: others are answered

    def read(conn: Connection) -> dict[str, Any]:
        parts = {c.name: c.state(conn, tenant) for c in sim.counterparts if c.state is not None}
        view = clock_view(read_clock(conn, tenant), real_now())
        clock = view | {"trajectory": clock_trajectory(conn, tenant)}
        return {"tenant": tenant.key, "clock": clock, "contracts": contract_set().version()} | parts

    # rendered in the worker thread too: the state of 5,000 claims is about 8 MB of JSON
    return ok_rendered(await read_apart(sim, lambda conn: dumps_bytes(read(conn))))


@tenant_endpoint
async def journal_view(request: Request, sim: Simulator, tenant: Tenant) -> Response:
    """The tenant's journal of exchanges, newest last; ?limit=N (default 200), ?after=<id>."""
    limit = whole_number(request.query_params.get("limit", "200"), "limit")
    after = whole_number(request.query_params.get("after", "0"), "after")
    query = (
        sa.select(store.journal)
        .where(store.journal.c.tenant == tenant.key, store.journal.c.id > after)
        .order_by(store.journal.c.id.desc())
        .limit(max(1, min(limit, 5000)))
    )

    def read(conn: Connection) -> list[dict[str, Any]]:
        return [_row(r, exclude=("tenant",)) for r in reversed(conn.execute(query).all())]

    return ok({"tenant": tenant.key, "entries": await read_apart(sim, read)})


_row = store.plain


_T = "/admin/tenants/{kommune}/{system}"


def admin_routes() -> list[Route]:
    return [
        Route("/admin/health", health, methods=["GET"]),
        Route(f"{_T}/clock", clock, methods=["GET", "POST"]),
        Route(f"{_T}/reset", reset, methods=["POST"]),
        Route(f"{_T}/settings", settings, methods=["GET", "PATCH"]),
        Route(f"{_T}/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route(f"{_T}/state", state, methods=["GET"]),
        Route(f"{_T}/journal", journal_view, methods=["GET"]),
    ]
