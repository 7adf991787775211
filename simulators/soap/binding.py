"""The SOAP hook: a SOAP call becomes the operation's JSON call on the same route, its answer an envelope.

`SoapBinding` sits in front of the routes (one line in `simulators.app`). A POST with `text/xml` (or a
`SOAPAction` header) to a SOAP address is read safely, translated to the operation's JSON message and
passed to the operation's own JSON route — same contract check, tenant, faults, idempotency, journal — and
the route's answer is written back in the binding's shape. `GET <address>?wsdl` serves the generated WSDL.
Every SOAP exchange is journalled as sent and answered (counterpart `soap`), with its warnings.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from xml.etree.ElementTree import Element, SubElement

from starlette.concurrency import run_in_threadpool
from testkommune.contracts.findings import Finding
from testkommune.simulators.http import BODY_TIMEOUT_S, MAX_BODY_BYTES
from testkommune.simulators.operations import Operation
from testkommune.simulators.soap import envelope, oir, safexml
from testkommune.simulators.soap.endpoints import Endpoint, endpoints
from testkommune.simulators.soap.journal import record
from testkommune.simulators.soap.psrm import PSRM_NS, PsrmSoap
from testkommune.simulators.soap.safexml import UnsafeXmlError
from testkommune.simulators.soap.shapes import Schemas
from testkommune.simulators.soap.wsdl import LOCATION, wsdl_documents

log = logging.getLogger("testkommune.simulators.soap")

_REPLACED = {b"content-type", b"content-length", b"soapaction", b"x-tk-kommune", b"x-tk-anvendersystem"}
_STATUS = {"SOAP-FOR-STOR": 413}
MAX_WARNINGS = 100


@dataclass
class Exchange:
    """One SOAP call as it goes: what came, what it became, what went back."""

    endpoint: Endpoint
    headers: dict[str, str]
    path: str
    raw: bytes = b""
    operation: Operation | None = None
    tenant_headers: dict[str, str] = field(default_factory=dict)
    warnings: list[Finding] = field(default_factory=list)
    warnings_dropped: int = 0
    status: int = 200
    answer: bytes = b""

    def warn(self, finding: Finding) -> None:
        """Keep a warning for the journal; beyond MAX_WARNINGS only count them (a flood costs nothing)."""
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(finding)
        else:
            self.warnings_dropped += 1


class Bindings:
    """What the hook needs, built once from the simulation and the operation list."""

    def __init__(self, sim: Any) -> None:
        from testkommune.simulators.routes import all_operations

        self.sim = sim
        self.schemas = Schemas(sim.contracts)
        self.endpoints = endpoints(all_operations())
        self.psrm = PsrmSoap(self.schemas)
        self._sp: dict[str, oir.OirSoap] = {}

    def sp(self, endpoint: Endpoint) -> oir.OirSoap:
        if endpoint.path not in self._sp:
            self._sp[endpoint.path] = oir.OirSoap(self.schemas, endpoint.path)
        return self._sp[endpoint.path]

    @cached_property
    def wsdl(self) -> dict[str, bytes]:
        return wsdl_documents(self.schemas, self.endpoints)


class SoapBinding:
    """ASGI middleware: SOAP calls and WSDL requests on SOAP addresses; everything else passes through."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._bindings: Bindings | None = None

    def bindings(self, scope: Any) -> Bindings:
        if self._bindings is None:
            self._bindings = Bindings(scope["app"].state.sim)
        return self._bindings

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and _is_soap(scope):
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
            if scope["method"] == "GET":
                document = self.bindings(scope).wsdl.get(scope["path"].rstrip("/"))
                if document is not None:
                    here = f"{scope.get('scheme', 'http')}://{headers.get('host', 'localhost')}".encode(
                        "latin-1"
                    )
                    await _send(send, 200, document.replace(LOCATION.encode(), here), envelope.CONTENT_TYPE)
                    return
            else:
                endpoint = self.bindings(scope).endpoints.get(scope["path"].rstrip("/"))
                if endpoint is not None:
                    await self._soap(scope, receive, send, Exchange(endpoint, headers, scope["path"]))
                    return
        await self.app(scope, receive, send)

    async def _soap(self, scope: Any, receive: Any, send: Any, call: Exchange) -> None:
        bindings = self.bindings(scope)
        worker = b""
        try:
            message = await self._read(bindings, receive, call)
            if message is not None:
                status, body, worker = await self._inner(scope, receive, call, message)
                self._answer(bindings, call, status, body)
        except UnsafeXmlError as refused:
            call.status = _STATUS.get(refused.code, 500)
            params = {"detail": refused.detail, "value": refused.detail, "path": call.endpoint.path}
            call.answer = envelope.catalogue_fault(refused.code, params)
        except TimeoutError:
            call.status = 408
            call.answer = envelope.fault("Client", f"body not received within {BODY_TIMEOUT_S:g} s")
        except Exception:
            error_id = uuid.uuid4().hex[:12]
            log.exception("error %s in the SOAP binding of %s", error_id, scope["path"])
            call.status, call.answer = 500, envelope.fault("Server", f"internal error {error_id}")
        try:
            await record(bindings.sim, call)
        except Exception:  # the evidence copy failed: the call itself was handled and is answered
            log.exception("the SOAP exchange on %s was not journalled", scope["path"])
        await _send(send, call.status, call.answer, envelope.CONTENT_TYPE, worker)

    async def _read(self, bindings: Bindings, receive: Any, call: Exchange) -> dict[str, Any] | None:
        """The JSON message of the call, or None when the call was refused (its fault is set)."""
        call.raw = await _body(receive, call.headers)
        # parsing and translating is CPU work: in a thread, so a large envelope never stalls other callers
        message, contexts = await run_in_threadpool(_decode, bindings, call)
        if contexts is None:
            return message
        tenant = oir.tenant_headers(bindings.sim, contexts, call.headers)
        if isinstance(tenant, Finding):
            call.status = 500
            call.answer = envelope.fault("Client", "Refused by Serviceplatformen", oir.finding_detail(tenant))
            return None
        call.tenant_headers = tenant
        return message

    async def _inner(self, scope: Any, receive: Any, call: Exchange, message: Any) -> tuple[int, Any, bytes]:
        """Call the operation's JSON route with the message; (status, JSON answer, the worker header)."""
        assert call.operation is not None
        body = json.dumps(message, ensure_ascii=False).encode("utf-8")
        headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() not in _REPLACED]
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        for name, value in ({**_tenant_of(call.headers), **call.tenant_headers}).items():
            headers.append((name.encode("latin-1"), value.encode("latin-1")))
        path = call.operation.path
        inner = {**scope, "path": path, "raw_path": path.encode(), "query_string": b"", "headers": headers}
        inner.pop("route", None)
        delivered = False
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def inner_receive() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def inner_send(event: dict[str, Any]) -> None:
            if event["type"] == "http.response.start":
                started.update(event)
            elif event["type"] == "http.response.body":
                chunks.append(event.get("body", b""))

        await self.app(inner, inner_receive, inner_send)
        worker = dict(started.get("headers", [])).get(b"x-tk-worker", b"")
        text = b"".join(chunks)
        return int(started.get("status", 500)), json.loads(text) if text else None, worker

    def _answer(self, bindings: Bindings, call: Exchange, status: int, body: Any) -> None:
        assert call.operation is not None
        psrm = call.endpoint.kind == "psrm"
        if 200 <= status < 300:
            binding = bindings.psrm if psrm else bindings.sp(call.endpoint)
            call.status, call.answer = status, envelope.envelope(binding.answer(call.operation, body))
            return
        call.status = 500 if status < 500 else status
        errors = _errors(body)
        title = body.get("title", "refused") if isinstance(body, dict) else "refused"
        first = errors[0] if errors else {}
        faultstring = f"{title}: {first.get('code', '')} {first.get('text_da', '')}".strip()
        detail = _psrm_detail(errors) if psrm else oir.fault_detail(_located(errors))
        call.answer = envelope.fault("Client" if status < 500 else "Server", faultstring, detail)


def _decode(bindings: Bindings, call: Exchange) -> tuple[dict[str, Any], oir.Contexts | None]:
    """The call's JSON message, and for Serviceplatformen the contexts it came with (no I/O here)."""
    payload = envelope.body_payload(safexml.parse(call.raw))
    call.operation = call.endpoint.operation(payload, call.headers.get("soapaction"))
    if call.endpoint.kind == "psrm":
        return bindings.psrm.request(call.operation, payload, call.warn), None
    return bindings.sp(call.endpoint).request(call.operation, payload, call.warn)


def _is_soap(scope: Any) -> bool:
    """`GET …?wsdl`, or a POST in SOAP 1.1's media type (or with a SOAPAction and no JSON): looked at in the
    raw headers, so a JSON call pays next to nothing for the hook."""
    if scope["method"] == "GET":
        return scope.get("query_string", b"").lower() == b"wsdl"
    if scope["method"] != "POST":
        return False
    media, action = b"", False
    for key, value in scope.get("headers", []):
        if key == b"content-type":
            media = value.split(b";")[0].strip().lower()
        elif key == b"soapaction":
            action = True
    return media in (b"text/xml", b"application/soap+xml") or (action and not media.endswith(b"json"))


def _tenant_of(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k in ("x-tk-kommune", "x-tk-anvendersystem")}


def _errors(body: Any) -> list[dict[str, Any]]:
    """The problem's errors; a refusal by Serviceplatformen carries its own ErrorList."""
    if not isinstance(body, dict):
        return []
    fault = body.get("ServiceplatformFault", {}).get("ErrorList", {}).get("Error")
    if fault:
        return [{"code": e["ErrorCode"], "text_da": e["ErrorText"], "path": "$"} for e in fault]
    return [e for e in body.get("errors", []) if isinstance(e, dict)]


def _located(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ErrorText with the field it is about, where the error names one."""
    return [
        e | {"text_da": f"{e['path']}: {e.get('text_da', '')}"} if e.get("path", "$") != "$" else e
        for e in errors
    ]


def _psrm_detail(errors: list[dict[str, Any]]) -> Element:
    """SKAT's `Fejl{FejlNummer, FejlTekst}` (soap.md §1), one per error; `FejlSti` is simulator-defined."""
    root = Element(f"{{{PSRM_NS}}}FejlSamling")
    for error in errors:
        envelope.text_children(
            SubElement(root, f"{{{PSRM_NS}}}Fejl"),
            PSRM_NS,
            (
                ("FejlNummer", str(error.get("native_code") or error.get("code"))),
                ("FejlTekst", error.get("text_da")),
                ("FejlSti", error.get("path")),
            ),
        )
    return root


async def _body(receive: Any, headers: dict[str, str]) -> bytes:
    """The request body within the JSON path's bounds: MAX_BODY_BYTES, BODY_TIMEOUT_S."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise UnsafeXmlError("SOAP-FOR-STOR", f"more than {MAX_BODY_BYTES} bytes")
    chunks: list[bytes] = []
    size = 0
    async with asyncio.timeout(BODY_TIMEOUT_S):
        while True:
            event = await receive()
            if event["type"] == "http.disconnect":
                raise UnsafeXmlError("SOAP-TOM", "the client went away before the body was complete")
            chunk = event.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise UnsafeXmlError("SOAP-FOR-STOR", f"more than {MAX_BODY_BYTES} bytes")
            chunks.append(chunk)
            if not event.get("more_body", False):
                return b"".join(chunks)


async def _send(send: Any, status: int, body: bytes, media: str, worker: bytes = b"") -> None:
    headers = [(b"content-type", media.encode()), (b"content-length", str(len(body)).encode())]
    if worker:
        headers.append((b"x-tk-worker", worker))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
