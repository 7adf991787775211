"""pytest plugin (registered through the `pytest11` entry point): a test kommune for your own tests.

Fixtures:
- `testkommune`: a running test kommune (in-process on 127.0.0.1 with an in-memory store, or the one
  given by `--testkommune-url`), shared by the session.
- `testkommune_connection`: a KommuneConnection for kommune 851 and the system id `pytest`, reset and
  with a frozen clock, fresh for each test.
- `testkommune_admin`: the admin client for that tenant (clock, state, journal, faults).
- `testkommune_inprocess`: a test kommune with no server at all: `requests` calls to its `base_url` are
  routed into the simulators by `responses` (fast unit tests of integration code).

`certification_tests(suite, fagsystem)` makes every scenario of a suite one pytest item, named by its id,
with the same verdict `testkommune certify` gives:

    from testkommune.harness.pytest_plugin import certification_tests
    test_basis = certification_tests("basis", "mypackage.integration:MyFagsystem")
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
    from testkommune.harness.server import start_in_thread

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
    from testkommune.contracts.driver import KommuneConnection
    from testkommune.harness.certify.client import AdminClient

    kommune = request.config.getoption("--testkommune-kommune")
    connection = KommuneConnection(testkommune.base_url, kommune, "pytest")
    admin = AdminClient(testkommune.base_url, kommune, "pytest")
    admin.reset()
    admin.set_clock("2026-10-01")
    return connection


@pytest.fixture
def testkommune_admin(testkommune_connection: Any) -> Any:
    from testkommune.harness.certify.client import AdminClient

    c = testkommune_connection
    return AdminClient(c.base_url, c.kommune, c.system)


@pytest.fixture(scope="session")
def testkommune_inprocess() -> Iterator[Any]:
    """A test kommune inside this process, reached through `requests` at `.base_url` (no socket)."""
    from testkommune.harness.inprocess import InProcessKommune

    with InProcessKommune() as kommune:
        yield kommune


def _factory(fagsystem: str | Callable[[], Any]) -> Callable[[], Any]:
    if callable(fagsystem):
        return fagsystem
    import importlib

    module, _, attribute = fagsystem.partition(":")
    target = getattr(importlib.import_module(module), attribute)
    return target if callable(target) else lambda: target


def certification_tests(
    suite: str,
    fagsystem: str | Callable[[], Any],
    *,
    inprocess: bool = True,
    kommune: str = "851",
    system: str | None = None,
    seed: int = 1,
) -> Callable[..., None]:
    """A test function parametrized over the suite's scenarios (one item per scenario id)."""
    from testkommune.harness.certify.suite import load_suite

    loaded = load_suite(suite)
    make = _factory(fagsystem)

    @pytest.mark.parametrize("scenario_id", [s.id for s in loaded.scenarios])
    def test_scenario(scenario_id: str, request: pytest.FixtureRequest) -> None:
        from testkommune.contracts.driver import KommuneConnection
        from testkommune.harness.certify.runner import Runner

        running = request.getfixturevalue("testkommune_inprocess" if inprocess else "testkommune")
        instance = make()
        connection = KommuneConnection(running.base_url, kommune, system or str(instance.name).lower())
        runner = Runner(loaded, instance, connection, seed=seed)
        scenario = next(s for s in loaded.scenarios if s.id == scenario_id)
        result = runner.run_scenario(scenario)
        if result.outcome == "not_supported":  # outside what the fagsystem declared: not certified
            pytest.skip(result.error or "not supported")
        if result.outcome != "passed":
            lines = [f"{scenario_id} {result.outcome}: {scenario.title_en}"]
            lines += [f"  {f.code} at {f.field}: {f.text_en} Fix: {f.fix_en}" for f in result.failures]
            pytest.fail("\n".join(lines), pytrace=False)

    test_scenario.__doc__ = f"Certification suite {loaded.id}: {loaded.title_en}"
    return test_scenario
