"""The test kommune in-process: `requests` calls to its base URL go straight into the ASGI app, no server.

Built on `responses`: a vendor's integration code (and the harness's own admin client) keeps using
`requests` exactly as against a served test kommune; the mock hands each request to the simulators' ASGI
application and returns its answer. Fast and hermetic, for unit tests of integration code. Calls to any
other address pass through untouched, and nothing is captured outside the context.
"""

from __future__ import annotations

import asyncio
import re
from types import TracebackType
from typing import Any, TypedDict
from urllib.parse import urlsplit

import requests
import responses
from testkommune.simulators.app import create_app

BASE_URL = "http://testkommune.invalid"


class _Sent(TypedDict):
    """What the app sent back: status and headers (http.response.start), the body's chunks joined."""

    status: int
    headers: dict[str, str]
    body: bytes


def _call_asgi(app: Any, request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
    """Run one HTTP request through an ASGI app and collect its response."""
    parts = urlsplit(request.url or "")
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method or "GET",
        "scheme": parts.scheme,
        "path": parts.path,
        "raw_path": parts.path.encode(),
        "query_string": parts.query.encode(),
        "root_path": "",
        "headers": [
            (k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in request.headers.items()
        ],
        "client": ("127.0.0.1", 0),
        "server": (parts.hostname or "testkommune.invalid", parts.port or 80),
        "state": {},
    }
    sent: _Sent = {"status": 500, "headers": {}, "body": b""}
    chunks = [body]

    async def receive() -> dict[str, Any]:
        data = chunks.pop() if chunks else b""
        return {"type": "http.request", "body": data, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            sent["status"] = message["status"]
            sent["headers"] = {
                k.decode("latin-1"): v.decode("latin-1") for k, v in message.get("headers", [])
            }
        elif message["type"] == "http.response.body":
            sent["body"] += message.get("body", b"")

    asyncio.run(app(scope, receive, send))
    return sent["status"], sent["headers"], sent["body"]


class InProcessKommune:
    """A test kommune reachable at `base_url` through `requests`, for as long as the context is open.

    Only calls to `base_url` are captured; every other `requests` call passes through to the network as
    usual, and once the context is closed nothing is captured at all. The same object can be entered
    again (the state is kept between entries), so one kommune can serve many tests, each capturing only
    while it runs.
    """

    def __init__(self, store_url: str = ":memory:", base_url: str = BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")
        self.app = create_app(store_url)
        self._mock: responses.RequestsMock | None = None

    def _callback(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        status, headers, body = _call_asgi(self.app, request)
        headers.pop("content-length", None)
        return status, headers, body

    def __enter__(self) -> InProcessKommune:
        if self._mock is not None:
            raise RuntimeError("this in-process test kommune is already capturing")
        own = re.escape(self.base_url) + r"(?=[/?#]|$)"
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        mock.add_passthru(re.compile(f"(?!{own})"))  # every other address
        mock.start()
        pattern = re.compile(own + r".*")
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"):
            mock.add_callback(method, pattern, callback=self._callback, content_type=None)
        self._mock = mock
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock.reset()
            self._mock = None
