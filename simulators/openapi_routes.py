"""What the OpenAPI document reads off a route: its request contract, summary, path parameters, example.

An admin endpoint names the contract it checks its body against (`sim.contracts.get("admin/Ur_I")`, or
`admin_endpoint(handle, {"PUT": "erp/Perioder_I"})`); the name is found in the endpoint, what it wraps and
what its closures hold, so a new route is documented without a list kept beside the router. An endpoint may
also say it outright with an `openapi_request` attribute (`{"POST": "admin/Ur_I"}`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from types import CodeType
from typing import Any

from testkommune.contracts.schemas import ContractSet

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")
_QUERY = re.compile(r"[?&]\s?([a-z_]+)=")
_PARAM_TEXT = {
    "kommune": "Kommunenummer of the tenant (three digits, e.g. 851).",
    "system": "The tenant's anvendersystem (the vendor system's id).",
    "fordring_id": "PSRM's claim id (DMIFordringEFIFordringID).",
    "ident": "The id of the bilag or bundle.",
    "type": "CPR or CVR.",
    "nummer": "The CPR or CVR number.",
}


def _strings(code: CodeType) -> Iterator[str]:
    for const in code.co_consts:
        if isinstance(const, str):
            yield const
        elif isinstance(const, CodeType):
            yield from _strings(const)


def _reachable(endpoint: Callable[..., Any]) -> Iterator[Any]:
    """The endpoint, what it wraps, and the functions, dicts and strings its closures hold (each once)."""
    seen: set[int] = set()
    stack: list[Any] = [endpoint]
    while stack:
        item = stack.pop(0)
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        if not callable(item):
            continue
        if hasattr(item, "__wrapped__"):
            stack.append(item.__wrapped__)
        for cell in getattr(item, "__closure__", None) or ():
            try:
                content = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if callable(content) or isinstance(content, dict | str):
                stack.append(content)


def request_contracts(endpoint: Callable[..., Any], method: str, contracts: ContractSet) -> list[str]:
    """The contract(s) a `method` call's body is checked against; [] when the call takes no body."""
    known = {name for name in contracts.raw if name.endswith("_I")}
    found: list[str] = []
    for item in _reachable(endpoint):
        declared = getattr(item, "openapi_request", None) if callable(item) else item
        if isinstance(declared, dict) and declared and set(declared) <= {"GET", "DELETE", *BODY_METHODS}:
            return [declared[method]] if declared.get(method) in known else []
        if isinstance(item, str) and item in known:
            found.append(item)
        code = getattr(item, "__code__", None)
        if isinstance(code, CodeType):
            found.extend(s for s in _strings(code) if s in known)
    return list(dict.fromkeys(found)) if method in BODY_METHODS else []


def summary_of(endpoint: Callable[..., Any], path: str) -> str:
    """The first line of the first docstring found on the endpoint, else a summary made from its path."""
    for item in _reachable(endpoint):
        doc = getattr(item, "__doc__", None) if callable(item) else None
        if doc and not isinstance(item, type) and doc.strip():
            return doc.strip().splitlines()[0]
    tail = path.removeprefix("/admin/tenants/{kommune}/{system}").strip("/") or path
    return f"Admin: {tail}"


# parameters the admin API reads as whole numbers (`simulators.http.whole_number`: ASCII digits, 64 bits)
WHOLE_NUMBERS = frozenset({"limit", "after", "fordring_id"})
WHOLE_NUMBER_SCHEMA = {"type": "string", "pattern": "^[0-9]{1,18}$"}
# parameters read as a day (`date.fromisoformat`)
DAYS = frozenset({"dato"})
DAY_SCHEMA = {"type": "string", "format": "date"}


def query_parameters(endpoint: Callable[..., Any]) -> list[dict[str, Any]]:
    """The query parameters an endpoint's docstring names (`?limit=N`, `&bilag=<BilagID>`), each optional."""
    doc = next(
        (d for item in _reachable(endpoint) if callable(item) and (d := getattr(item, "__doc__", None))), ""
    )
    names = dict.fromkeys(_QUERY.findall(doc or ""))
    return [
        {
            "name": name,
            "in": "query",
            "required": False,
            "schema": WHOLE_NUMBER_SCHEMA
            if name in WHOLE_NUMBERS
            else DAY_SCHEMA
            if name in DAYS
            else {"type": "string", "maxLength": 200},
        }
        for name in names
    ]


def tenant_patterns(contracts: ContractSet) -> dict[str, str]:
    """The patterns of a kommunenummer and an anvendersystem, as the access file's contract spells them."""
    aftale = contracts.raw["harness/adgang"]["properties"]["serviceaftaler"]["items"]["properties"]
    return {"kommune": aftale["kommuner"]["items"]["pattern"], "system": aftale["anvendersystem"]["pattern"]}


def path_parameters(path: str, patterns: dict[str, str]) -> list[dict[str, Any]]:
    """One parameter per `{name}` in the path; the tenant's carry their contract patterns."""
    params = []
    for name in _PARAM.findall(path):
        schema: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 100}
        if name in patterns:
            schema = {"type": "string", "pattern": patterns[name]}
        elif name in WHOLE_NUMBERS:
            schema = dict(WHOLE_NUMBER_SCHEMA)
        params.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": schema,
                "description": _PARAM_TEXT.get(name, name),
            }
        )
    return params


def examples(folder: Path, contracts: ContractSet) -> dict[str, Any]:
    """`contracts/examples/<contract>.json`: one valid message per request contract, keyed by contract."""
    found = {}
    for file in sorted(folder.rglob("*.json")):
        name = file.relative_to(folder).as_posix().removesuffix(".json")
        if name in contracts.raw:
            found[name] = json.loads(file.read_text(encoding="utf-8"))
    return found
