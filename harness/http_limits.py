"""Limits on a request's head, enforced while it is read (uvicorn's httptools protocol, bounded).

httptools accepts header values of any size and any number of headers; a 64 MB value or 5,000 headers were
taken in and handed to the application. Here a head over MAX_HEAD_BYTES, more than MAX_HEADERS headers or
one value over MAX_HEADER_BYTES is answered 431 (RFC 6585) with a problem, and the connection closed, before
any application code runs. (Bodies are bounded by simulators/http.py: 5 MiB, 413.)
"""

from __future__ import annotations

import json
from typing import Any

from testkommune.contracts.errors import TestkommuneError
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

MAX_HEAD_BYTES = 64 * 1024
MAX_HEADERS = 100
MAX_HEADER_BYTES = 16 * 1024


class HeadTooLargeError(TestkommuneError):
    """Raised from a parser callback; the parser turns it into an error and `send_400_response` runs."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol that refuses an oversized request head with 431."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reading_head = True
        self._head_bytes = 0
        self._refusal: str | None = None
        self._restarted = False

    def data_received(self, data: bytes) -> None:
        counting = self._reading_head  # this piece continues a head (not the end of a body before one)
        self._restarted = False
        super().data_received(data)
        if counting and self._reading_head and not self._restarted and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refusal = f"the request head is over {MAX_HEAD_BYTES} bytes"
                self.send_400_response("")

    def on_header(self, name: bytes, value: bytes) -> None:
        super().on_header(name, value)
        if len(self.headers) > MAX_HEADERS:
            self._refusal = f"more than {MAX_HEADERS} header fields"
        elif len(name) + len(value) > MAX_HEADER_BYTES:
            self._refusal = f"a header field over {MAX_HEADER_BYTES} bytes"
        if self._refusal is not None:
            raise HeadTooLargeError(self._refusal)

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._head_bytes = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._reading_head, self._head_bytes, self._restarted = True, 0, True
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        if self._refusal is None:
            super().send_400_response(msg)
            return
        body = json.dumps(
            {
                "type": "https://testkommune.dk/problemer/http-hoved-for-stort",
                "title": "Request header fields too large",
                "status": 431,
                "detail": self._refusal,
            }
        ).encode()
        head = [
            STATUS_LINE[431],
            b"content-type: application/problem+json\r\n",
            b"content-length: " + str(len(body)).encode() + b"\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()
