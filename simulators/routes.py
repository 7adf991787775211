"""The counterparts' operations as HTTP routes: each reads JSON, checks its contract, calls its handler.

The operations themselves are the counterparts' own (`<counterpart>/routes.py`, collected by
`simulators.counterparts`); this module is the endpoint machinery they share."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from testkommune.contracts.findings import Finding
from testkommune.simulators.access import Refusal, fault_body
from testkommune.simulators.context import OpContext
from testkommune.simulators.counterparts import COUNTERPARTS
from testkommune.simulators.faults import AFTER, BEFORE, LIST, LISTS, Fault, shape
from testkommune.simulators.http import BadRequestError, ok, ok_rendered, problem, read_json_text, render_json
from testkommune.simulators.journal import journal
from testkommune.simulators.operations import Operation
from testkommune.simulators.screen import SCREEN_BYTES
from testkommune.simulators.simulation import Simulation
from testkommune.simulators.tenancy import Tenant, caller

BACKLOG = object()
"""`_handle`'s outcome when it did one bounded part of the tenant's due batch work and must come back."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """An answer body already rendered as JSON text."""

    text: str


def tenant_of(request: Request, operation: str) -> Tenant:
    """The tenant a service call acts for: from its headers, checked against its serviceaftale when closed."""
    sim: Simulation = request.app.state.sim
    tenant = caller(sim.access, request.headers, operation)
    if isinstance(tenant, Refusal):
        raise BadRequestError(
            problem(tenant.status, "Refused by Serviceplatformen", [tenant.finding], **fault_body(tenant))
        )
    if tenant is None:
        kommune = request.headers.get("x-tk-kommune", "")
        header = "X-TK-Kommune" if Tenant.parse(kommune, "x") is None else "X-TK-Anvendersystem"
        raise BadRequestError(
            problem(400, "Caller not identified", [Finding("TENANT-MANGLER", "$", {"field": header})])
        )
    return tenant


def _endpoint(operation: Operation) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        response = await answer(request)
        response.headers["X-TK-Worker"] = str(os.getpid())  # which server process answered (serve --workers)
        return response

    async def answer(request: Request) -> Response:
        sim: Simulation = request.app.state.sim
        try:
            tenant = tenant_of(request, operation.name)
            message, text = await read_json_text(request)
        except BadRequestError as refused:
            return refused.response
        problems = None
        if len(text) >= SCREEN_BYTES:  # a large body is checked in a worker thread, the loop answers others
            problems = await run_in_threadpool(sim.contracts.get(operation.contract_in).check, message)
        outcome: Any = BACKLOG
        if not sim.store.shared:
            await asyncio.sleep(0)  # calls whose COMMIT has just been done send their answers first
        while outcome is BACKLOG:  # a large batch fell due: done in parts, other calls answered between them
            if sim.store.shared:  # PostgreSQL: the call waits on the network, so let other requests run
                outcome = await run_in_threadpool(
                    _handle, operation, sim, request, tenant, message, text, problems
                )
            else:  # SQLite has one writer: threads would only queue for its lock
                outcome = _handle(operation, sim, request, tenant, message, text, problems)
                commit = sim.store.pending_commit()
                if commit is not None:  # group commit: answer only once this call's writes are durable
                    try:
                        await commit
                    except Exception as exc:
                        finding = Finding("HTTP-IKKE-GEMT", "$", {"value": type(exc).__name__})
                        return problem(503, "Not stored", [finding])
            if outcome is BACKLOG:
                await asyncio.sleep(0)
        if isinstance(outcome, Response):
            return outcome
        status, body, after = outcome
        if isinstance(body, Rendered):
            return ok_rendered(body.text, status)
        if status >= 400 and isinstance(body, Finding):
            return problem(status, operation.name, [body])
        if after is not None and after.kind == "lose_answer":
            return problem(
                504,
                "Gateway timeout: the answer was lost",
                [Finding("OIR-SVAR-TABT", "$", {"value": after.name})],
            )
        if after is not None and after.kind == "latency":
            await asyncio.sleep(after.delay_ms / 1000)
        return ok(body, status)

    endpoint.__name__ = operation.name
    return endpoint


def _handle(
    operation: Operation,
    sim: Simulation,
    request: Request,
    tenant: Tenant,
    message: Any,
    text: str,
    problems: list[Finding] | None = None,
) -> Response | tuple[int, Any, Fault | None] | object:
    """The contract check (unless `problems` holds its result) and the call's transaction, committed before
    this returns (on SQLite, once `store.pending_commit()` is done); BACKLOG when the transaction did only a
    part of the tenant's due batch work. The journal keeps the body as received and the answer as sent."""
    if problems is None:
        problems = sim.contracts.get(operation.contract_in).check(message)
    if problems:
        response = problem(400, f"{operation.name}: the message breaks its contract", problems)
        with sim.operation(tenant, grouped=True, bounded=True) as ctx:
            if ctx.backlog:
                return BACKLOG
            _journal(ctx, operation, request, response.status_code, text, bytes(response.body).decode())
        return response
    with sim.operation(tenant, grouped=True, bounded=True) as ctx:
        if ctx.backlog:
            return BACKLOG
        before = sim.take_fault(tenant, BEFORE, operation.name, operation.counterpart, ctx.now)
        if before is not None:  # the counterpart is down or fails: nothing is processed
            code = "FAULT-TJENESTEVINDUE" if before.kind == "service_window" else "FAULT-FEJL"
            refused = problem(503, "Service unavailable", [Finding(code, "$", {"value": before.name})])
            _journal(ctx, operation, request, 503, message, {"fault": before.view()})
            return refused
        status, body = operation.handler(sim, ctx, message)
        after = sim.take_fault(tenant, AFTER, operation.name, operation.counterpart, ctx.now)
        shaped, body = _list_faults(sim, ctx, operation, message, status, body)
        if after is None and not shaped and not isinstance(body, Finding):  # rendered once: sent and kept
            rendered = Rendered(render_json(body))
            _journal(ctx, operation, request, status, text, rendered.text)
            return status, rendered, None
        _journal(ctx, operation, request, status, text, body, after, shaped)
    return status, body, after


def _list_faults(
    sim: Simulation, ctx: OpContext, operation: Operation, message: Any, status: int, body: Any
) -> tuple[list[Fault], Any]:
    """Apply duplicate_answer, then reorder, to an answer that carries a message list (faults.LISTS); the
    stored state is not touched, only the answer sent."""
    key = LISTS.get(operation.name)
    if key is None or status != 200 or not isinstance(body, dict) or key not in body:
        return [], body
    fired = []
    for kind in LIST:
        fault = sim.take_fault(ctx.tenant, (kind,), operation.name, operation.counterpart, ctx.now)
        if fault is not None:
            replay = operation.replay if kind == "duplicate_answer" else None
            earlier = replay(ctx, message) if replay is not None else []
            body = shape(fault, body, key, earlier)
            fired.append(fault)
    return fired, body


def _journal(
    ctx: OpContext,
    operation: Operation,
    request: Request,
    status: int,
    message: Any,
    body: Any,
    fault: Fault | None = None,
    shaped: list[Fault] | None = None,
) -> None:
    """Record the exchange; an injected fault is recorded beside the answer, as evidence of the rehearsal."""
    fault = fault or (shaped[0] if shaped else None)
    if fault is not None and isinstance(body, dict):
        body = body | {"_fault": fault.view()}
    if shaped and isinstance(body, dict):
        body = body | {"_faults": [f.view() for f in shaped]}
    journal(
        ctx.conn,
        ctx.tenant,
        now=ctx.now,
        counterpart=operation.counterpart,
        operation=operation.name,
        method=request.method,
        path=request.url.path,
        status=status,
        request=message,
        response=body if not isinstance(body, Finding) else {"code": body.code},
    )


def all_operations() -> tuple[Operation, ...]:
    """Every counterpart's operations, in the order `simulators.counterparts` lists the counterparts."""
    return tuple(op for counterpart in COUNTERPARTS for op in counterpart.operations)


def service_routes() -> list[Route]:
    return [Route(op.path, _endpoint(op), methods=["POST"], name=op.name) for op in all_operations()]


class ServiceFastPath:
    """ASGI: a POST to an operation's exact path goes straight to its endpoint, past the router's match
    over every route and the per-route exception wrapper (an operation's endpoint answers every refusal
    itself; anything it raises still reaches the app's error handler). Every other request (another
    method, another path, a trailing slash) goes on to the app as before."""

    def __init__(self, app: Any, routes: list[Route]) -> None:
        self.app = app
        self.endpoints: dict[str, Callable[[Request], Any]] = {
            route.path: route.endpoint for route in routes if route.methods == {"POST"}
        }

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            endpoint = self.endpoints.get(scope["path"])
            if endpoint is not None:
                response = await endpoint(Request(scope, receive, send))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
