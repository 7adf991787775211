"""The OpenAPI 3.1 document of the test kommune, generated from the app's router and the contracts.

Every route the app serves becomes an operation (`include_in_schema=False` routes, the dashboard's pages,
excepted). A service operation takes its contracts from its `Operation`; an admin route's request contract
is read off its endpoint (`simulators.openapi_routes`); its example from `contracts/examples/`.
"""

from __future__ import annotations

import copy
import posixpath
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from starlette.routing import BaseRoute, Route
from testkommune import contracts as contracts_package
from testkommune.contracts import __version__
from testkommune.contracts.schemas import ContractSet
from testkommune.simulators.openapi_routes import (
    BODY_METHODS,
    examples,
    path_parameters,
    query_parameters,
    request_contracts,
    summary_of,
    tenant_patterns,
)

_PROBLEM = {"$ref": "#/components/schemas/common.typer/$defs/Problem"}
_SERVICE_STATUSES = (400, 401, 403, 404, 405, 408, 409, 413, 415, 500, 504)
_ADMIN_STATUSES = (400, 401, 403, 404, 405, 408, 409, 413, 415, 422, 500)
BEARER = "bearer"
_NO_CREDENTIALS = frozenset({"/admin/health", "/openapi.json"})


def _component(name: str) -> str:
    return name.replace("/", ".")


def _rewrite(node: Any, here: str) -> Any:
    """Turn file-relative `$ref`s into refs inside the one OpenAPI document."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in ("$id", "$schema"):
                continue
            if key == "$ref" and isinstance(value, str):
                target, _, fragment = value.partition("#")
                name = (
                    here
                    if not target
                    else posixpath.normpath(posixpath.join(posixpath.dirname(here), target))
                )
                name = name.removesuffix(".schema.json")
                out[key] = f"#/components/schemas/{_component(name)}" + quote(fragment, safe="/$_-.")
            else:
                out[key] = _rewrite(value, here)
        return out
    if isinstance(node, list):
        return [_rewrite(v, here) for v in node]
    return node


def _json_body(ref: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _request_body(contract: str, example: Any) -> dict[str, Any]:
    body = _json_body(_component(contract))
    if example is not None:
        body["content"]["application/json"]["examples"] = {
            "eksempel": {"summary": f"A valid {contract.rsplit('/', 1)[-1]}", "value": example}
        }
    return {"required": True, **body}


def _problems(statuses: Iterable[int]) -> dict[str, Any]:
    return {
        str(s): {
            "description": "Structured problem (RFC 9457)",
            "content": {"application/problem+json": {"schema": _PROBLEM}},
        }
        for s in statuses
    }


def _tenant_headers(system_pattern: str) -> list[dict[str, Any]]:
    return [
        {
            "name": "X-TK-Kommune",
            "in": "header",
            "required": True,
            "schema": {"type": "string", "pattern": "^0?[0-9]{3}$"},
            "description": "Kommunenummer of the kommune you act for (e.g. 851).",
        },
        {
            "name": "X-TK-Anvendersystem",
            "in": "header",
            "required": True,
            "schema": {"type": "string", "pattern": system_pattern},
            "description": "Your IT system's id (the anvendersystem).",
        },
    ]


def _security(path: str, closed: bool) -> list[dict[str, list[str]]]:
    if path in _NO_CREDENTIALS:
        return []
    return [{BEARER: []}] if closed else [{}, {BEARER: []}]


def _security_schemes() -> dict[str, Any]:
    return {
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "description": "Needed only when the kommune is closed (`testkommune serve --access FILE`): a "
            "service call carries its vendor system's token (its serviceaftale names the kommuner and "
            "operations), an admin call the admin token. An open kommune (the default) needs none.",
        }
    }


class _Builder:
    """Builds one operation per route and method."""

    def __init__(self, contracts: ContractSet, closed: bool) -> None:
        from testkommune.simulators.routes import all_operations

        self.contracts = contracts
        self.closed = closed
        self.operations = {op.path: op for op in all_operations()}
        self.examples = examples(contracts_package.ROOT / "examples", contracts)
        self.patterns = tenant_patterns(contracts)

    def service(self, path: str) -> dict[str, Any]:
        op = self.operations[path]
        return {
            "operationId": op.name,
            "summary": op.summary,
            "tags": [op.counterpart],
            "parameters": _tenant_headers(self.patterns["system"]),
            "requestBody": _request_body(op.contract_in, self.examples.get(op.contract_in)),
            "responses": {
                "200": {"description": "Answer", **_json_body(_component(op.contract_out))},
                **_problems(_SERVICE_STATUSES),
            },
            "security": _security(path, self.closed),
        }

    def other(self, route: Route, method: str) -> dict[str, Any]:
        bodies = request_contracts(route.endpoint, method, self.contracts)
        operation: dict[str, Any] = {
            "operationId": f"{method.lower()}_{route.name}_{_slug(route.path)}",
            "summary": summary_of(route.endpoint, route.path),
            "tags": ["admin"] if route.path.startswith("/admin/") else ["meta"],
            "parameters": path_parameters(route.path, self.patterns) + query_parameters(route.endpoint),
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                **_problems(_ADMIN_STATUSES),
            },
            "security": _security(route.path, self.closed),
        }
        if bodies:
            operation["requestBody"] = _request_body(bodies[0], self.examples.get(bodies[0]))
        if not operation["parameters"]:
            del operation["parameters"]
        return operation


def _slug(path: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in path).strip("_")


def documented_routes(routes: Sequence[BaseRoute]) -> list[tuple[str, str]]:
    """(path, method) of every route the document must describe (HEAD is implied by GET)."""
    return [
        (route.path, method.lower())
        for route in routes
        if isinstance(route, Route) and route.include_in_schema
        for method in sorted(route.methods or ())
        if method != "HEAD"
    ]


def openapi_document(
    contracts: ContractSet, routes: Sequence[BaseRoute], *, closed: bool = False
) -> dict[str, Any]:
    """The document for `routes` (the app's own: `simulators.app.create_app` passes them)."""
    schemas = {_component(name): _rewrite(copy.deepcopy(raw), name) for name, raw in contracts.raw.items()}
    build = _Builder(contracts, closed)
    paths: dict[str, Any] = {}
    for path, method in documented_routes(routes):
        route = next(
            r
            for r in routes
            if isinstance(r, Route) and r.path == path and method.upper() in (r.methods or ())
        )
        item = paths.setdefault(path, {})
        item[method] = build.service(path) if path in build.operations else build.other(route, method.upper())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "testkommune",
            "version": __version__,
            "description": "A simulated Danish test kommune: ØiR (SF1590), the debitor system, PSRM, the "
            "ERP, NemKonto and the Klassifikationssystem, and the admin API that steers and reads each "
            f"tenant. Contracts version {contracts.version()}.",
        },
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": _security_schemes()},
    }


__all__ = ["BEARER", "BODY_METHODS", "documented_routes", "openapi_document"]
