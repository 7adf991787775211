"""Expose any Python fagsystem through the HTTP trigger protocol (see harness/certify/drivers.py).

A vendor does the same in front of its own system; here it lets the suites run the reference and the broken
variants through the HTTP trigger driver and show the verdicts do not change.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from testkommune.contracts.codec import case_from_json
from testkommune.contracts.driver import KommuneConnection, conformance_of
from testkommune.contracts.events import BUSINESS_EVENTS, event_from_json
from testkommune.contracts.schemas import contract_set


def _checked(action: str, handler: Any) -> Any:
    """The handler, first checking the request body against contract harness/trigger/<action>."""

    async def checked(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"problems": ["$: the body is not JSON"]}, status_code=400)
        problems = contract_set().get(f"harness/trigger/{action}").check(body)
        if problems:
            return JSONResponse({"problems": [f"{p.path}: {p.code}" for p in problems]}, status_code=400)
        return await handler(request)

    return checked


def trigger_app(fagsystem: Any, *, checked: bool = False) -> Starlette:
    """The trigger protocol in front of `fagsystem`; `checked`: refuse requests outside the contract (400)."""

    async def connect(request: Request) -> Response:
        fagsystem.connect(KommuneConnection(**await request.json()))
        return Response(status_code=204)

    async def bill(request: Request) -> Response:
        body = await request.json()
        fagsystem.bill(case_from_json(body["case"]), date.fromisoformat(body["today"]))
        return JSONResponse({"done": True})

    async def daily(request: Request) -> Response:
        fagsystem.run_daily(date.fromisoformat((await request.json())["today"]))
        return JSONResponse({"done": True})

    async def finans(request: Request) -> Response:
        body = await request.json()
        fagsystem.post_finans(
            [case_from_json(c) for c in body["cases"]], date.fromisoformat(body["today"]), bool(body["masse"])
        )
        return JSONResponse({"done": True})

    async def correct(request: Request) -> Response:
        body = await request.json()
        fagsystem.correct(case_from_json(body["case"]), date.fromisoformat(body["today"]))
        return JSONResponse({"done": True})

    async def pay_out(request: Request) -> Response:
        body = await request.json()
        fagsystem.pay_out([case_from_json(c) for c in body["cases"]], date.fromisoformat(body["today"]))
        return JSONResponse({"done": True})

    actions = {"connect": connect, "bill": bill, "daily": daily}
    if callable(getattr(fagsystem, "post_finans", None)):  # an optional action: offered only when it exists
        actions["finans"] = finans
    if callable(getattr(fagsystem, "pay_out", None)):
        actions["pay_out"] = pay_out
    if callable(getattr(fagsystem, "correct", None)):
        actions["correct"] = correct
    if any(callable(getattr(fagsystem, name, None)) for name in BUSINESS_EVENTS):
        actions["event"] = _event(fagsystem)
    routes = [Route("/", _info(fagsystem), methods=["GET"])]
    for action, handler in actions.items():
        routes.append(
            Route(f"/{action}", _checked(action, handler) if checked else handler, methods=["POST"])
        )
    return Starlette(routes=routes)


def _info(fagsystem: Any) -> Any:
    """`GET /`: the system's name, version and conformance statement (its role and declared events)."""

    async def info(request: Request) -> Response:
        statement = conformance_of(fagsystem)
        return JSONResponse(
            {
                "name": fagsystem.name,
                "version": fagsystem.version,
                "role": statement.role,
                "events": sorted(statement.events),
            }
        )

    return info


def _event(fagsystem: Any) -> Any:
    """`POST /event`: a business event for the fagsystem's method of that name (501 when it has none)."""

    async def event(request: Request) -> Response:
        body = await request.json()
        name = body["event"]["event"]
        method = getattr(fagsystem, name, None) if name in BUSINESS_EVENTS else None
        if not callable(method):
            return JSONResponse({"detail": f"{name} is not offered"}, status_code=501)
        today = date.fromisoformat(body["today"])
        method(case_from_json(body["case"]), event_from_json(body["event"]), today)
        return JSONResponse({"done": True})

    return event
