"""The dashboard reads and steers a tenant through the admin API, in process: one ASGI call to the router.

The dashboard decides who may see what itself (`viewer.py`); the call carries the viewer's credentials on,
so an admin route that checks them checks the same person.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from starlette.types import ASGIApp, Message


@dataclass(frozen=True, slots=True)
class Answer:
    """An admin API answer: its status and its JSON body ({} when it had none)."""

    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class AdminReader:
    """Calls `/admin/tenants/{kommune}/{system}/…` of `app` without a socket, straight to its router."""

    def __init__(self, app: Any, authorization: str | None) -> None:
        self.app = app
        self.router: ASGIApp = app.router
        self.authorization = authorization

    async def call(
        self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None
    ) -> Answer:
        raw = b"" if body is None else json.dumps(body).encode()
        headers = [(b"content-type", b"application/json")] if body is not None else []
        if self.authorization:
            headers.append((b"authorization", self.authorization.encode("latin-1")))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": quote(path).encode(),
            "root_path": "",
            "query_string": urlencode(query or {}).encode(),
            "headers": headers,
            "client": ("127.0.0.1", 0),
            "server": ("127.0.0.1", 0),
            "app": self.app,
        }
        sent: list[Message] = []
        delivered = False

        async def receive() -> Message:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": raw, "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        await self.router(scope, receive, send)
        status = next(m["status"] for m in sent if m["type"] == "http.response.start")
        text = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return Answer(status, json.loads(text) if text.strip() else {})

    async def tenant(self, kommune: str, system: str, tail: str, **kwargs: Any) -> Answer:
        method = kwargs.pop("method", "GET")
        return await self.call(method, f"/admin/tenants/{kommune}/{system}/{tail}".rstrip("/"), **kwargs)
