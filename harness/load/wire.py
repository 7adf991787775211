"""The simulator users' HTTP sender: one keep-alive geventhttpclient connection per user, every request
reported to Locust's statistics once, as Locust's FastHttpSession reports it, without the per-request
conveniences a load of prebuilt JSON posts does not need (cookie jar, redirects, decompression, response
objects copied into a context manager).

Imports geventhttpclient (and so gevent, unpatched): only the load users import this module.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from geventhttpclient import HTTPClient


class RequestFailedError(Exception):
    """Why a request that was answered counts as failed (Locust's statistics group failures by text)."""


@dataclass
class Answer:
    """One request's outcome: its status (0: no answer), body and time; `report` counts it once."""

    sender: Sender
    path: str
    status: int
    body: bytes
    elapsed_ms: float
    error: Exception | None = None

    def report(self, failure: str | None = None) -> None:
        """Count the request in Locust's statistics: failed with `failure`, or for its own error."""
        error = RequestFailedError(failure) if failure else self.error
        self.sender.event.fire(
            request_type="POST",
            name=self.path,
            response_time=self.elapsed_ms,
            response_length=len(self.body),
            exception=error,
            context={},
        )


class Sender:
    """Posts bodies to one test kommune with fixed headers over one kept-alive connection."""

    def __init__(self, base_url: str, headers: dict[str, str], request_event: Any, timeout: float) -> None:
        self.client = HTTPClient.from_url(
            base_url, concurrency=1, network_timeout=timeout, connection_timeout=timeout
        )
        self.headers = headers
        self.event = request_event

    def post(self, path: str, body: bytes) -> Answer:
        started = time.perf_counter()
        try:
            response = self.client.post(path, body=body, headers=self.headers)
            try:
                content = response.read()
            finally:
                response.release()
        except Exception as exc:  # refused, reset, timed out, unreadable: a failed request; the user goes on
            return Answer(self, path, 0, b"", _ms(started), exc)
        status = response.status_code
        error = RequestFailedError(f"HTTP {status}") if status >= 400 else None
        return Answer(self, path, status, content, _ms(started), error)

    def close(self) -> None:
        self.client.close()


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
