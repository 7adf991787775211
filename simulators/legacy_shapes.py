"""PSRM's old JSON shapes, accepted for one release: translated before the route, answered with a warning.

`LegacyShapes` sits in front of the JSON routes (one line in `simulators.app`). A JSON POST to
MFFordringIndberet is read; when it uses a field of the shape from before the contracts followed SKAT's real
structure, `contracts.legacy_shapes.translate` (the one place that knows the old names) turns it into the
new shape and the route gets that. The answer is in the new contract's shape — its reasons nested as
`AfvistÅrsagSamling/MFAktionAfvistStruktur` — not the old flat list: the receipts (MFKvitteringHent,
HoeringSvar) have no old request shape to tell an old caller by, so every answer has one shape, and this one
says so: a `Deprecation` header (RFC 9745: the date the old shape was deprecated) and a `Warning: 299`
naming the old fields. The journal keeps the message as sent beside a PSRM-FORAELDET-FORM warning per old
field. A message in the new shape passes untouched.
"""

from __future__ import annotations

import asyncio
import calendar
import json
import logging
from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from testkommune.contracts import jsontext
from testkommune.contracts.findings import Finding, describe_all
from testkommune.contracts.legacy_shapes import mapping, translate
from testkommune.simulators.http import (
    BODY_TIMEOUT_S,
    MAX_BODY_BYTES,
    PARSED,
    BadRequestError,
    parse_json_text,
)
from testkommune.simulators.journal import journal_apart
from testkommune.simulators.screen import SCREEN_BYTES, SCREENED, oversized_object
from testkommune.simulators.tenancy import Tenant, caller

log = logging.getLogger("testkommune.simulators.legacy_shapes")

PATHS = frozenset({"/psrm/MFFordringIndberet"})
OPERATION = "MFFordringIndberet"
CODE = "PSRM-FORAELDET-FORM"


def deprecation_header() -> bytes:
    """RFC 9745's `Deprecation: @<seconds>`: when the old shape was deprecated."""
    since = date.fromisoformat(mapping()["deprecated_since"])
    return f"@{calendar.timegm(since.timetuple())}".encode()


class LegacyShapes:
    """ASGI middleware: an old-shaped MFFordringIndberet becomes the new shape; everything else passes."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if not _candidate(scope):
            await self.app(scope, receive, send)
            return
        chunks, finished = await _buffer(receive)
        raw = b"".join(chunks)
        translated: bytes | None = None
        old: list[str] = []
        parsed: tuple[Any, str] | None = None
        if finished and len(raw) >= SCREEN_BYTES:  # screened and read off the loop, as the route would
            members = await oversized_object(raw)
            scope = {**scope, SCREENED: members}  # the route takes the screen's answer, not screening again
            if members is None:
                translated, old, parsed = await run_in_threadpool(_translated_or_parsed, raw)
        elif finished:
            translated, old, parsed = _translated_or_parsed(raw)
        if parsed is not None:  # the new shape: the route takes this parse instead of parsing again
            scope = {**scope, PARSED: (raw, parsed)}
        if translated is None:
            await self.app(scope, _replay(raw, finished, receive), send)
            return
        headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(translated)).encode()))
        status = 500

        async def warned_send(event: dict[str, Any]) -> None:
            nonlocal status
            if event["type"] == "http.response.start":
                status = event["status"]
                fields = ", ".join(old[:5]) + (" …" if len(old) > 5 else "")
                warning = f'299 testkommune "old PSRM JSON shape, accepted this release only: {fields}"'
                event = event | {
                    "headers": [
                        *event.get("headers", []),
                        (b"deprecation", deprecation_header()),
                        (b"warning", warning.encode("utf-8")),
                    ]
                }
            await send(event)

        await self.app({**scope, "headers": headers}, _replay(translated, True, receive), warned_send)
        try:
            sim = scope["app"].state.sim
            if sim.store.shared:
                await run_in_threadpool(_record, sim, scope, raw, status, old)
            else:
                _record(sim, scope, raw, status, old)
        except Exception:  # the warning's copy failed: the call itself was handled and answered
            log.exception("the deprecation warning of %s was not journalled", scope["path"])


def _candidate(scope: Any) -> bool:
    if scope["type"] != "http" or scope["method"] != "POST" or scope["path"].rstrip("/") not in PATHS:
        return False
    for key, value in scope.get("headers", []):
        if key == b"content-type":
            return value.split(b";")[0].strip().lower().endswith(b"json")
    return False


async def _buffer(receive: Any) -> tuple[list[bytes], bool]:
    """The body so far, and whether it is complete (not if it is too large or too slow: the route judges)."""
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(BODY_TIMEOUT_S):
            while True:
                event = await receive()
                chunk = event.get("body", b"")
                chunks.append(chunk)
                size += len(chunk)
                if event["type"] != "http.request" or not event.get("more_body", False):
                    return chunks, event["type"] == "http.request"
                if size > MAX_BODY_BYTES:
                    return chunks, False
    except TimeoutError:
        return chunks, False


def _translated_or_parsed(raw: bytes) -> tuple[bytes | None, list[str], tuple[Any, str] | None]:
    """`_translated`, parsed by the route's own strict parser: a message in the new shape comes back parsed
    (value, text), for the route to take (`http.PARSED`); one it refuses is left for the route to refuse."""
    try:
        value, text = parse_json_text(raw)
    except BadRequestError:
        return (*_translated(raw), None)
    translated, old = _in_new_shape(value, text)
    return translated, old, None if old else (value, text)


def _translated(raw: bytes) -> tuple[bytes | None, list[str]]:
    try:
        message = jsontext.loads(raw)
    except (ValueError, RecursionError):  # not JSON, or nested too deep: the route refuses it with a problem
        return None, []
    return _in_new_shape(message)


def _in_new_shape(message: Any, text: str | None = None) -> tuple[bytes | None, list[str]]:
    """The message translated into the new shape (None when it already is) and the old fields it had."""
    new, old = translate(message, text)
    if not old:
        return None, []
    return json.dumps(new, ensure_ascii=False).encode("utf-8"), old


def _replay(body: bytes, finished: bool, receive: Any) -> Any:
    delivered = False

    async def replay() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": not finished}
        return await receive()

    return replay


def _record(sim: Any, scope: Any, raw: bytes, status: int, old: list[str]) -> None:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    tenant = caller(sim.access, headers, OPERATION)
    if not isinstance(tenant, Tenant):
        return
    journal_apart(
        sim.store,
        tenant,
        counterpart="psrm",
        operation=f"{OPERATION} (old shape)",
        method="POST",
        path=scope["path"],
        status=status,
        request=raw.decode("utf-8", errors="replace"),
        response={"warnings": describe_all(Finding(CODE, path, {"field": path}) for path in old)},
    )
