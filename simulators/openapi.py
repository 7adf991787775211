"""The OpenAPI 3.1 document of the test kommune, built from the contracts (never written by hand)."""

from __future__ import annotations

import copy
import posixpath
from typing import Any
from urllib.parse import quote

from testkommune.contracts import __version__
from testkommune.contracts.schemas import ContractSet

_PROBLEM = {"$ref": "#/components/schemas/common.typer/$defs/Problem"}


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


def _problems(*statuses: int) -> dict[str, Any]:
    return {
        str(s): {
            "description": "Structured problem",
            "content": {"application/problem+json": {"schema": _PROBLEM}},
        }
        for s in statuses
    }


_TENANT_HEADERS = [
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
        "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]{0,59}$"},
        "description": "Your IT system's id (the anvendersystem).",
    },
]


def openapi_document(contracts: ContractSet) -> dict[str, Any]:
    from testkommune.simulators.routes import all_operations

    schemas = {_component(name): _rewrite(copy.deepcopy(raw), name) for name, raw in contracts.raw.items()}
    paths: dict[str, Any] = {}
    for op in all_operations():
        paths[op.path] = {
            "post": {
                "operationId": op.name,
                "summary": op.summary,
                "tags": [op.counterpart],
                "parameters": _TENANT_HEADERS,
                "requestBody": {"required": True, **_json_body(_component(op.contract_in))},
                "responses": {
                    "200": {"description": "Answer", **_json_body(_component(op.contract_out))},
                    **_problems(400, 401, 403, 404, 405, 408, 409, 413, 415, 500, 504),
                },
            }
        }
    tenant = "/admin/tenants/{kommune}/{system}"
    params = [
        {"name": "kommune", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "system", "in": "path", "required": True, "schema": {"type": "string"}},
    ]
    for suffix, methods, summary in (
        ("/clock", ("get", "post"), "Read, set or advance the tenant's simulated clock"),
        ("/reset", ("post",), "Forget everything the tenant's counterparts hold"),
        (
            "/settings",
            ("get", "patch"),
            "Read or change the tenant's settings (PSRM processing delay, agreement)",
        ),
        ("/faults", ("get", "post"), "Inject a named fault (lose_answer) into the next calls"),
        ("/state", ("get",), "Read accounts, claims, PSRM actions and claims, deliveries"),
        ("/journal", ("get",), "Read the journal of exchanges"),
    ):
        paths[tenant + suffix] = {
            m: {
                "summary": summary,
                "tags": ["admin"],
                "parameters": params,
                "responses": {"200": {"description": "OK"}, **_problems(400)},
            }
            for m in methods
        }
    paths["/admin/health"] = {
        "get": {
            "summary": "Liveness and contract version",
            "tags": ["admin"],
            "responses": {"200": {"description": "OK"}},
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "testkommune",
            "version": __version__,
            "description": "A simulated Danish test kommune: ØiR (SF1590_B), the debitor system and PSRM. "
            f"Contracts version {contracts.version()}.",
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": paths,
        "components": {"schemas": schemas},
    }
