"""One shape for a counterpart's admin endpoint: tenant from the path, body checked, one transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from testkommune.contracts.findings import Finding
from testkommune.simulators.admin.routes import _tenant, checked_body
from testkommune.simulators.batch import settled
from testkommune.simulators.context import OpContext, Simulator
from testkommune.simulators.http import BadRequestError, ok, problem

Body = dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Later:
    """An answer built after the transaction, in a worker thread, from rows already read: a report over a
    500-bilag delivery takes longer to build than the event loop may be held."""

    build: Callable[[], dict[str, Any]]


Handler = Callable[[OpContext, Request, Body], tuple[int, Any]]


def admin_endpoint(
    handle: Handler, contracts: dict[str, str] | None = None
) -> Callable[[Request], Awaitable[Response]]:
    """An admin endpoint: the tenant from the path, a body checked against its contract (per method), due
    batch work first (`Simulator.operation`), one transaction; a Finding or a list of them is refused."""
    contracts = contracts or {}

    async def endpoint(request: Request) -> Response:
        sim: Simulator = request.app.state.sim
        body: Body = None
        try:
            tenant = _tenant(request)
            if request.method in contracts:
                body = await checked_body(request, sim, contracts[request.method])
        except BadRequestError as refused:
            return refused.response
        try:
            async with settled(sim, tenant) as ctx:  # due batch work first, in parts: others are answered
                status, answer = handle(ctx, request, body)
        except BadRequestError as refused:  # a query parameter out of range (`http.whole_number`)
            return refused.response
        if isinstance(answer, Later):
            answer = await run_in_threadpool(answer.build)
        if isinstance(answer, list):
            return problem(status, "Refused", answer)
        if isinstance(answer, Finding):
            return problem(status, "Refused", [answer])
        return ok({"tenant": tenant.key} | answer, status)

    return endpoint
