"""pytest plugin (registered through the `pytest11` entry point): a test kommune for your own tests.

Fixtures:
- `testkommune`: a running test kommune (in-process on 127.0.0.1 with an in-memory store, or the one
  given by `--testkommune-url`), shared by the session.
- `testkommune_connection`: a KommuneConnection for kommune 851 and the system id `pytest`, reset and
  with a frozen clock, fresh for each test.
- `testkommune_admin`: the admin client for that tenant (clock, state, journal, faults).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("testkommune")
    group.addoption(
        "--testkommune-url", default=None, help="use a running test kommune instead of an in-process one"
    )
    group.addoption(
        "--testkommune-kommune", default="851", help="kommunenummer the fixtures act in (default 851)"
    )


@pytest.fixture(scope="session")
def testkommune(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The base URL holder of a running test kommune (`.base_url`)."""
    url = request.config.getoption("--testkommune-url")
    if url:
        yield _Remote(url.rstrip("/"))
        return
    from harness.server import start_in_thread

    kommune = start_in_thread(":memory:")
    try:
        yield kommune
    finally:
        kommune.stop()


class _Remote:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url


@pytest.fixture
def testkommune_connection(testkommune: Any, request: pytest.FixtureRequest) -> Any:
    from harness.certify.client import AdminClient
    from harness.certify.driver import KommuneConnection

    kommune = request.config.getoption("--testkommune-kommune")
    connection = KommuneConnection(testkommune.base_url, kommune, "pytest")
    admin = AdminClient(testkommune.base_url, kommune, "pytest")
    admin.reset()
    admin.set_clock("2026-10-01")
    return connection


@pytest.fixture
def testkommune_admin(testkommune_connection: Any) -> Any:
    from harness.certify.client import AdminClient

    c = testkommune_connection
    return AdminClient(c.base_url, c.kommune, c.system)
