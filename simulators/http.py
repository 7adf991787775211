"""The HTTP shell every simulator shares: read a JSON body, answer with structured problems."""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
from collections.abc import Iterable
from typing import Any, NoReturn

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from testkommune.contracts.errors import TestkommuneError
from testkommune.contracts.findings import Finding, describe_all
from testkommune.contracts.jsontext import dumps, dumps_bytes, loads_fast
from testkommune.simulators.screen import MAX_MEMBERS, SCREEN_BYTES, SCREENED, oversized_object

MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_JSON_DEPTH = 64
"""Deeper documents are refused up front: no contract nests half as deep, and a fixed limit keeps the
validators, the journal and the answer from running out of stack on a small but deep body."""
BODY_TIMEOUT_S = float(os.environ.get("TESTKOMMUNE_BODY_TIMEOUT_S", "10"))
"""A body not complete this long after its headers is refused (408), so a slow client holds no request."""
PROBLEM_TYPE = "https://testkommune.dk/problemer/"
MAX_PROBLEMS = 100
"""A problem lists at most this many errors (the first ones) and counts the rest in `errors_total`."""
MAX_TEXT = 300
"""Any text in a problem (value, path, detail, message) is cut to this many characters."""
MAX_ID = 2**63 - 1
"""The largest id or cursor a caller may name: what SQLite and PostgreSQL store in a BIGINT."""

_ASCII_NUMBER = re.compile(r"[0-9]{1,19}")

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class JSONAnswer(JSONResponse):
    """Starlette's JSONResponse, rendered by `contracts.jsontext` (orjson; the same bytes)."""

    def render(self, content: Any) -> bytes:
        return dumps_bytes(content)


class ProblemResponse(JSONAnswer):
    media_type = "application/problem+json"


def problem(status: int, title: str, findings: Iterable[Finding], **extra: Any) -> ProblemResponse:
    """An RFC 9457 problem listing the first MAX_PROBLEMS findings with path, code, texts and source; when
    there were more, `errors_total` counts them all. Long texts are cut, so the answer stays small."""
    listed = list(findings)
    total = max(len(listed), getattr(findings, "total", 0))
    errors = [_bounded(e) for e in describe_all(listed[:MAX_PROBLEMS])]
    slug = errors[0]["code"].lower() if errors else f"http-{status}"
    body = {"type": PROBLEM_TYPE + slug, "title": title, "status": status, "errors": errors} | extra
    if total > len(errors):
        body["errors_total"] = total
    return ProblemResponse(body, status_code=status)


def _bounded(error: dict[str, Any]) -> dict[str, Any]:
    """`error` with every string longer than MAX_TEXT cut (a 5 MB value is not sent back three times)."""
    return {k: _cut(v) for k, v in error.items()}


def _cut(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[: MAX_TEXT - 3] + "..."
    if isinstance(value, dict):
        return {k: _cut(v) for k, v in value.items()}
    return value


_UNSCREENED = object()

PARSED = "testkommune.parsed"
"""Scope key: (the body, (its value, its text)) when a layer in front of the route (`legacy_shapes`) has
already parsed it with `parse_json_text`; the route takes that instead of parsing the same bytes again."""


class BadRequestError(TestkommuneError):
    """Raised inside a handler to answer with a problem instead of a result."""

    def __init__(self, response: Response) -> None:
        self.response = response


async def read_json(request: Request) -> Any:
    """The request body as JSON, or BadRequestError with the reason (type, size, time, encoding, syntax)."""
    value, _text = await read_json_text(request)
    return value


async def read_json_text(request: Request) -> tuple[Any, str]:
    """`read_json`, and the body's text as received (what the journal keeps as evidence)."""
    content_type = request.headers.get("content-type", "")
    if content_type and not content_type.split(";")[0].strip().lower().endswith(("/json", "+json")):
        raise BadRequestError(
            problem(
                415, "Unsupported content type", [Finding("HTTP-INDHOLDSTYPE", "$", {"value": content_type})]
            )
        )
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BadRequestError(_too_large())
    timeout = BODY_TIMEOUT_S
    try:
        async with asyncio.timeout(timeout):
            raw = await _body(request)
    except TimeoutError:
        _refuse(f"body not received within {timeout:g} s", status=408, title="Request timeout")
    except ClientDisconnect:
        _refuse("the client went away before the body was complete")
    screened = request.scope.get(SCREENED, _UNSCREENED)
    members = await oversized_object(raw) if screened is _UNSCREENED else screened
    if members is not None:
        finding = Finding("HTTP-FOR-MANGE-FELTER", "$", {"value": members, "limit": MAX_MEMBERS})
        raise BadRequestError(problem(400, "Too many fields", [finding]))
    parsed = request.scope.get(PARSED)
    if parsed is not None and parsed[0] == raw:
        return parsed[1]
    if len(raw) >= SCREEN_BYTES:  # decoded in a worker thread: the loop answers others (the GIL switches)
        return await run_in_threadpool(parse_json_text, raw)
    return parse_json_text(raw)


async def _body(request: Request) -> bytes:
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BadRequestError(_too_large())
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json_text(raw: bytes) -> tuple[Any, str]:
    """`parse_json`, and the decoded text."""
    try:
        text = raw.decode("utf-8")
        done, value = loads_fast(raw)  # orjson where it reads what json.loads reads; json explains a refusal
        if not done:
            value = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except UnicodeDecodeError as exc:
        _refuse(f"invalid UTF-8 at byte {exc.start}")
    except json.JSONDecodeError as exc:
        _refuse(f"{exc.msg} at line {exc.lineno} column {exc.colno}")
    except RecursionError:
        _refuse("nested too deeply")
    except ValueError as exc:  # NaN, Infinity, 1e309, integers beyond Python's digit limit
        _refuse("an integer has too many digits" if "integer string conversion" in str(exc) else str(exc))
    if (raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH) and _deeper_than(value, MAX_JSON_DEPTH):
        _refuse(f"nested deeper than {MAX_JSON_DEPTH} levels")
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(value):
        _refuse("a string holds a lone UTF-16 surrogate (\\ud800-\\udfff), which is not a character")
    return value, text


def parse_json(raw: bytes) -> Any:
    """Strict RFC 8259 JSON: UTF-8, finite numbers only, no lone surrogates, at most MAX_JSON_DEPTH deep."""
    return parse_json_text(raw)[0]


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(literal: str) -> float:
    number = float(literal)
    if math.isinf(number):
        raise ValueError(f"the number {literal[:40]} is out of range")
    return number


def _deeper_than(value: Any, limit: int) -> bool:
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _has_lone_surrogate(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _refuse(detail: str, *, status: int = 400, title: str = "Malformed JSON") -> NoReturn:
    raise BadRequestError(problem(status, title, [Finding("HTTP-UGYLDIG-JSON", "$", {"detail": detail})]))


def _too_large() -> ProblemResponse:
    return problem(413, "Body too large", [Finding("HTTP-FOR-STOR", "$", {"limit": MAX_BODY_BYTES})])


def whole_number(text: str, name: str) -> int:
    """`text` as an id or count: ASCII digits only (no `¹`, `①`, Arabic or fullwidth digits, no sign) and at
    most MAX_ID; anything else is a BadRequestError naming `name`."""
    if _ASCII_NUMBER.fullmatch(text) and int(text) <= MAX_ID:
        return int(text)
    detail = f"{name} must be a whole number from 0 to {MAX_ID} in the digits 0-9"
    raise BadRequestError(problem(400, "Invalid number", [Finding("ADMIN-UGYLDIG", "$", {"detail": detail})]))


def ok(body: Any, status: int = 200) -> JSONResponse:
    return JSONAnswer(body, status_code=status)


def render_json(body: Any) -> str:
    """The text `ok` sends for `body` (as Starlette's JSONResponse renders it), for a caller that keeps it."""
    return dumps(body)


def ok_rendered(text: str | bytes, status: int = 200) -> Response:
    """An answer already rendered by `render_json` (or `contracts.jsontext.dumps_bytes`)."""
    body = text.encode("utf-8") if isinstance(text, str) else text
    return Response(body, status_code=status, media_type="application/json")
