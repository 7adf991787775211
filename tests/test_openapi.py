"""The OpenAPI document is generated from the router: every route is an operation, tenant path parameters
carry the contracts' patterns, Bearer security is declared per operation, and every request body has an
example its contract accepts and the running test kommune takes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from testkommune import contracts
from testkommune.contracts.schemas import ContractSet, contract_set
from testkommune.harness.dashboard import dashboard_routes
from testkommune.harness.server import RunningKommune, start_in_thread
from testkommune.simulators.access import AccessPolicy, Serviceaftale, digest
from testkommune.simulators.openapi import documented_routes, openapi_document

ADMIN_TOKEN = "admin-token-0123456789"
VALUES = {"kommune": "851", "system": "openapi-admin", "type": "CPR", "nummer": "1111111118"}


@pytest.fixture(scope="module")
def kommune() -> Iterator[RunningKommune]:
    running = start_in_thread(":memory:")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def document(kommune: RunningKommune) -> dict[str, Any]:
    return requests.get(f"{kommune.base_url}/openapi.json", timeout=30).json()


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_route_of_the_served_app_is_a_documented_operation(kommune, document):
    app = kommune.server.config.app
    documented = {(path, method) for path, method, _ in _operations(document)}
    assert set(documented_routes(app.routes)) == documented
    pages = {route.path for route in dashboard_routes() if isinstance(route, Route)}
    for route in app.routes:  # what is left out is the dashboard: pages, not API
        if isinstance(route, Route) and not route.include_in_schema:
            assert route.path in pages, route.path
        elif not isinstance(route, Route):
            assert isinstance(route, Mount) and route.path == "/static", route
    once_missing = {
        ("/admin/tenants/{kommune}/{system}/invarianter", "get"),
        ("/admin/tenants/{kommune}/{system}/erp/posteringer", "get"),
        ("/admin/tenants/{kommune}/{system}/nemkonto/bundter", "get"),
        ("/admin/tenants/{kommune}/{system}/psrm/indbetalinger", "post"),
        ("/admin/tenants/{kommune}/{system}/faults", "delete"),
        ("/admin/debitorprofiler", "get"),
        ("/openapi.json", "get"),
    }
    assert once_missing <= documented
    ids = [operation["operationId"] for _, _, operation in _operations(document)]
    assert len(ids) == len(set(ids)) == len(documented) >= 75


def test_tenant_path_parameters_carry_the_patterns_of_the_contracts(document):
    aftale = contract_set().raw["harness/adgang"]["properties"]["serviceaftaler"]["items"]["properties"]
    expected = {
        "kommune": aftale["kommuner"]["items"]["pattern"],
        "system": aftale["anvendersystem"]["pattern"],
    }
    seen = 0
    for path, _method, operation in _operations(document):
        params = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "path"}
        assert set(params) == set(re.findall(r"{(\w+)}", path)), path
        for name in ("kommune", "system"):
            if name in params:
                assert params[name]["required"] is True
                assert params[name]["schema"]["pattern"] == expected[name], (path, name)
                seen += 1
    assert seen == 2 * sum(1 for p, _, _ in _operations(document) if "{kommune}" in p) >= 2 * 40
    assert re.fullmatch(expected["kommune"], "851") and not re.fullmatch(expected["kommune"], "85")
    assert not re.fullmatch(expected["system"], "Not A System")


def test_bearer_security_is_declared_for_every_operation_that_can_need_it(document):
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearer"]["description"],
    }
    for path, method, operation in _operations(document):
        if path in ("/admin/health", "/openapi.json"):
            assert operation["security"] == [], path
        else:  # open by default: no credentials, or a Bearer token when the kommune is closed
            assert operation["security"] == [{}, {"bearer": []}], (path, method)


def test_a_closed_kommune_documents_that_every_call_needs_its_token():
    policy = AccessPolicy(
        open=False,
        admin_digests=(digest(ADMIN_TOKEN),),
        aftaler={digest("vendor-token-0123456789"): Serviceaftale("leverandoer", frozenset({"851"}), None)},
    )
    with start_in_thread(":memory:", access=policy) as closed:
        served = requests.get(f"{closed.base_url}/openapi.json", timeout=30).json()
    securities = {(path, method): operation["security"] for path, method, operation in _operations(served)}
    assert securities.pop(("/admin/health", "get")) == securities.pop(("/openapi.json", "get")) == []
    assert set(map(str, securities.values())) == {str([{"bearer": []}])}


def _contract_of(body: dict[str, Any]) -> str:
    ref = body["content"]["application/json"]["schema"]["$ref"]
    return ref.removeprefix("#/components/schemas/").replace(".", "/")


def test_every_request_body_has_an_example_its_contract_accepts(document):
    checked = set()
    for path, method, operation in _operations(document):
        if method in ("post", "put", "patch") and "requestBody" in operation:
            body = operation["requestBody"]
            examples = body["content"]["application/json"]["examples"]
            contract = _contract_of(body)
            for example in examples.values():
                assert contract_set().get(contract).check(example["value"]) == [], (path, contract)
            checked.add(contract)
    assert len(checked) >= 35
    without = [
        (path, method)
        for path, method, operation in _operations(document)
        if method in ("post", "put", "patch") and "requestBody" not in operation
    ]
    assert sorted(without) == [
        ("/admin/tenants/{kommune}/{system}/attestation/start", "post"),
        ("/admin/tenants/{kommune}/{system}/reset", "post"),
    ]


def _url(base: str, path: str) -> str:
    return base + re.sub(r"{(\w+)}", lambda m: VALUES.get(m.group(1), "1"), path)


def test_the_running_kommune_takes_every_admin_example(kommune, document):
    """What the fuzzer could not do before (issue 14, finding 10): reach the admin API with valid calls."""
    answers = {}
    for path, method, operation in _operations(document):
        if path.startswith("/admin/") and "requestBody" in operation:
            value = next(iter(operation["requestBody"]["content"]["application/json"]["examples"].values()))
            response = requests.request(method, _url(kommune.base_url, path), json=value["value"], timeout=30)
            answers[(path, method)] = response.status_code
    # only calls about a thing the fresh tenant does not hold (a bilag, a PSRM claim) are refused
    refused = {key: status for key, status in answers.items() if status >= 300}
    assert set(refused.values()) <= {404}, refused
    assert len(answers) - len(refused) >= 9, answers


def test_every_service_example_is_read_as_valid(kommune, document):
    headers = {"X-TK-Kommune": "851", "X-TK-Anvendersystem": "openapi-service"}
    answers = {}
    for path, _method, operation in _operations(document):
        if not path.startswith("/admin/") and "requestBody" in operation:
            value = next(iter(operation["requestBody"]["content"]["application/json"]["examples"].values()))
            response = requests.post(
                kommune.base_url + path, json=value["value"], headers=headers, timeout=30
            )
            answers[path] = response.status_code
            assert response.status_code in (200, 404, 409), (path, response.text[:500])
            codes = (
                {e["code"] for e in response.json().get("errors", [])}
                if response.status_code > 200
                else set()
            )
            assert not any(code.startswith("SCHEMA-") for code in codes), (path, codes)
    # a fresh tenant: only the answer to an unknown høring or transaction is a refusal
    assert sum(status == 200 for status in answers.values()) >= len(answers) - 2, answers


async def _declared(request: Request) -> Response:
    """Set the tenant's lucky number (a route the document has never seen); ?lucky=N &why=<text>."""
    request.app.state.sim.contracts.get("admin/Ur_I")
    return JSONResponse({})


def test_a_new_route_is_documented_from_the_router_alone(kommune):
    routes = [
        *kommune.server.config.app.routes,
        Route("/admin/tenants/{kommune}/{system}/lykketal", _declared, methods=["PUT"]),
    ]
    document = openapi_document(ContractSet(contracts.ROOT), routes)
    operation = document["paths"]["/admin/tenants/{kommune}/{system}/lykketal"]["put"]
    assert operation["summary"].startswith(
        "Set the tenant's lucky number (a route the document has never seen)"
    )
    assert _contract_of(operation["requestBody"]) == "admin/Ur_I"
    assert [(p["name"], p["in"]) for p in operation["parameters"]] == [
        ("kommune", "path"),
        ("system", "path"),
        ("lucky", "query"),
        ("why", "query"),
    ]


def test_query_parameters_come_from_what_the_endpoint_says_it_reads(document):
    journal = document["paths"]["/admin/tenants/{kommune}/{system}/journal"]["get"]
    assert [p["name"] for p in journal["parameters"] if p["in"] == "query"] == ["limit", "after"]
