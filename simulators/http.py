"""The HTTP shell every simulator shares: read a JSON body, answer with structured problems."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from harness.core.findings import Finding, describe_all

MAX_BODY_BYTES = 5 * 1024 * 1024
PROBLEM_TYPE = "https://testkommune.dk/problemer/"


class ProblemResponse(JSONResponse):
    media_type = "application/problem+json"


def problem(status: int, title: str, findings: Iterable[Finding], **extra: Any) -> ProblemResponse:
    """An RFC 9457 problem listing every finding with its path, code, texts and source."""
    errors = describe_all(findings)
    slug = errors[0]["code"].lower() if errors else f"http-{status}"
    body = {"type": PROBLEM_TYPE + slug, "title": title, "status": status, "errors": errors} | extra
    return ProblemResponse(body, status_code=status)


class BadRequestError(Exception):
    """Raised inside a handler to answer with a problem instead of a result."""

    def __init__(self, response: Response) -> None:
        self.response = response


async def read_json(request: Request) -> Any:
    """The request body as JSON, or BadRequestError with the reason (type, size, encoding, syntax)."""
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
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BadRequestError(_too_large())
        chunks.append(chunk)
    raw = b"".join(chunks)
    try:
        text = raw.decode("utf-8")
        return json.loads(text)
    except UnicodeDecodeError as exc:
        detail = f"invalid UTF-8 at byte {exc.start}"
    except json.JSONDecodeError as exc:
        detail = f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    except RecursionError:
        detail = "nested too deeply"
    raise BadRequestError(
        problem(400, "Malformed JSON", [Finding("HTTP-UGYLDIG-JSON", "$", {"detail": detail})])
    )


def _too_large() -> ProblemResponse:
    return problem(413, "Body too large", [Finding("HTTP-FOR-STOR", "$", {"limit": MAX_BODY_BYTES})])


def ok(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)
