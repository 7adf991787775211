"""Shared fixtures: one in-process test kommune on 127.0.0.1 per session, a fresh tenant per test."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from testkommune.harness.server import RunningKommune, start_in_thread

from tests.messages import OIR_B01, OIR_B02


class Api:
    """Talks to the test kommune over real HTTP as one tenant."""

    def __init__(self, base_url: str, kommune: str, system: str) -> None:
        self.base_url = base_url
        self.kommune = kommune
        self.system = system
        self.session = requests.Session()
        self.headers = {"X-TK-Kommune": kommune, "X-TK-Anvendersystem": system}
        self.admin_path = f"{base_url}/admin/tenants/{kommune}/{system}"

    def post(self, path: str, body: Any, **kwargs: Any) -> requests.Response:
        headers = self.headers | kwargs.pop("headers", {})
        return self.session.post(self.base_url + path, json=body, headers=headers, timeout=30, **kwargs)

    def opret(self, message: dict[str, Any]) -> requests.Response:
        return self.post(f"{OIR_B01}/OpretDebitorkonto", message)

    def ret_tilstand(self, message: dict[str, Any]) -> requests.Response:
        return self.post(f"{OIR_B01}/RetFordringTilstand", message)

    def hent(self, account_ref: str) -> requests.Response:
        return self.post(f"{OIR_B02}/HentDebitorkonto", {"DebitorkontoReference": account_ref})

    def clock(self, **body: Any) -> dict[str, Any]:
        response = self.session.post(f"{self.admin_path}/clock", json=body, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def state(self) -> dict[str, Any]:
        response = self.session.get(f"{self.admin_path}/state", timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def settings(self, changes: dict[str, Any]) -> dict[str, Any]:
        if not changes:
            response = self.session.get(f"{self.admin_path}/settings", timeout=30)
            assert response.status_code == 200, response.text
            return response.json()["settings"]
        response = self.session.patch(f"{self.admin_path}/settings", json=changes, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()["settings"]


@pytest.fixture(scope="session")
def kommune() -> Iterator[RunningKommune]:
    running = start_in_thread(":memory:")
    yield running
    running.stop()


@pytest.fixture
def api(kommune: RunningKommune) -> Api:
    """A fresh tenant (its own system id) whose clock starts frozen at 2026-09-20 09:00."""
    api = Api(kommune.base_url, "851", f"t-{uuid.uuid4().hex[:12]}")
    api.clock(set="2026-09-20")
    return api


@pytest.fixture
def deep() -> Any:
    return copy.deepcopy
