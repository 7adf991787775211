"""pytest plugin (registered through the `pytest11` entry point): a test kommune for your own tests.

Fixtures (each documented in `pytest --fixtures`):
- `testkommune`: a running test kommune (in a thread on 127.0.0.1 with an in-memory store, or the one
  given by `--testkommune-url`), shared by the session.
- `testkommune_connection`: a KommuneConnection for kommune 851 and the system id `pytest`, reset and
  with a frozen clock, fresh for each test.
- `testkommune_admin`: the admin client for that tenant (clock, state, journal, faults).
- `testkommune_inprocess`: a test kommune with no server at all: `requests` calls to its `base_url` are
  routed into the simulators by `responses`, only during the test that asks for it; every other
  address passes through untouched.

`certification_tests(suite, fagsystem)` makes every scenario of a suite one pytest item, named by its id,
with the same verdict `testkommune certify` gives; `fagsystem` is what `certify --fagsystem` accepts (a
built-in variant such as "reference", or module:attribute) or a factory. At the end of the session the
same reports and signed evidence as the CLI's are written to `--testkommune-report-dir`:

    from testkommune.harness.pytest_plugin import certification_tests
    test_basis = certification_tests("basis", "mypackage.integration:MyFagsystem")

Marker: `testkommune(suite, scenario)` marks each certification item (select with `-m testkommune`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPORT_DIR_OPTION = "--testkommune-report-dir"
_RUNS = pytest.StashKey[dict[tuple[str, str], "_CertificationRun"]]()  # (module, test name) → its run


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("testkommune")
    group.addoption(
        "--testkommune-url", default=None, help="use a running test kommune instead of an in-process one"
    )
    group.addoption(
        "--testkommune-kommune", default="851", help="kommunenummer the fixtures act in (default 851)"
    )
    group.addoption(
        REPORT_DIR_OPTION,
        default="testkommune-reports",
        help="where certification_tests writes its JSON, JUnit, HTML reports and evidence",
    )
    group.addoption("--testkommune-vendor", default="unnamed vendor", help="vendor named in the evidence")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "testkommune(suite, scenario): a certification scenario run by certification_tests"
    )
    config.stash[_RUNS] = {}
    url = config.getoption("--testkommune-url", None)
    if url:  # a usage error of the whole session, in one line and a hint, before any test runs
        from testkommune.contracts.errors import TestkommuneError
        from testkommune.harness.commands.common import check_url, error_lines, probe_kommune

        try:
            probe_kommune(check_url("--testkommune-url", url), option="--testkommune-url")
        except TestkommuneError as exc:
            raise pytest.UsageError(error_lines(exc)) from None


@pytest.fixture(scope="session")
def testkommune(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A running test kommune for the whole session; `.base_url` is where it answers.

    Started in a thread on 127.0.0.1 with an in-memory store, or the one `--testkommune-url` names.
    """
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
    """A KommuneConnection (base URL, kommune, system `pytest`) to give your fagsystem's `connect`.

    Fresh for each test: the tenant is reset and its clock frozen at 2026-10-01.
    """
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
    """The admin client of the `testkommune_connection` tenant: clock (`advance`, `today`), `state`,
    `journal`, fault injection and the ERP views."""
    from testkommune.harness.certify.client import AdminClient

    c = testkommune_connection
    return AdminClient(c.base_url, c.kommune, c.system)


@pytest.fixture(scope="session")
def testkommune_inprocess_kommune() -> Any:
    """The session's in-process test kommune (its state), not capturing; use `testkommune_inprocess`."""
    from testkommune.harness.inprocess import InProcessKommune

    return InProcessKommune()


@pytest.fixture
def testkommune_inprocess(testkommune_inprocess_kommune: Any) -> Iterator[Any]:
    """A test kommune inside this process, reached through `requests` at `.base_url` (no socket).

    Only calls to `.base_url` are captured, and only during this test; every other `requests` call goes
    to the network as usual. The state is shared by the session (reset a tenant to start clean).
    """
    with testkommune_inprocess_kommune as kommune:
        yield kommune


def resolve(fagsystem: str | Callable[[], Any]) -> Callable[[], Any]:
    """A factory of the fagsystem: a callable as given, or a name `testkommune certify --fagsystem` takes."""
    if callable(fagsystem):
        return fagsystem
    from testkommune.harness.commands.common import resolve_fagsystem

    resolve_fagsystem(fagsystem)  # fail at collection on a name that is not one
    return lambda: resolve_fagsystem(fagsystem)


@dataclass
class _CertificationRun:
    """The scenarios one `certification_tests` function ran, gathered into one run for the reports."""

    runner: Any
    recorder: Any
    result: Any = None
    spec: str = ""
    vendor: str = "unnamed vendor"

    def scenario(self, scenario: Any) -> Any:
        if self.result is None:
            self.result = _run_result(self.runner, self.spec)
        outcome = self.runner.run_scenario(scenario)
        self.result.scenarios.append(outcome)
        return outcome


def _run_result(runner: Any, spec: str) -> Any:
    """An empty RunResult naming the run (as `Runner.run` starts one; keep the two in step)."""
    from testkommune.contracts.clock import real_now
    from testkommune.harness.certify import business
    from testkommune.harness.certify.results import RunResult

    return RunResult(
        suite_id=runner.suite.id,
        suite_title=runner.suite.title_en,
        fagsystem=runner.fagsystem.name,
        fagsystem_version=runner.fagsystem.version,
        driver="python",
        kommune=runner.connection.kommune,
        system=runner.connection.system,
        seed=runner.seed,
        contracts_version=runner.admin.health()["contracts"],
        started_at=real_now().isoformat(timespec="seconds"),
        base_url=runner.connection.base_url,
        fagsystem_spec=spec,
        conformance=business.declared(runner.fagsystem),
    )


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the reports and the evidence of every certification run of the session, as the CLI does."""
    from testkommune.contracts.clock import real_now
    from testkommune.harness.certify.events import RunFinished
    from testkommune.harness.commands.certify import write_all

    runs = session.config.stash.get(_RUNS, {})
    report_dir = Path(session.config.getoption(REPORT_DIR_OPTION))
    for run in runs.values():
        if run.result is None:
            continue
        run.result.finished_at = real_now().isoformat(timespec="seconds")
        run.recorder.handle(RunFinished(run.result))
        paths = write_all(
            run.result, run.recorder, report_dir, language="en", vendor=run.vendor, role=_role(), key=None
        )
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"testkommune {run.result.suite_id}: reports in {paths['json'].parent}")


def _role() -> str:
    from testkommune.harness.commands.common import DEFAULT_ROLE

    return DEFAULT_ROLE


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
    make = resolve(fagsystem)
    spec = fagsystem if isinstance(fagsystem, str) else getattr(fagsystem, "__qualname__", "factory")

    @pytest.mark.parametrize(
        "scenario_id",
        [pytest.param(s.id, marks=pytest.mark.testkommune(suite, s.id)) for s in loaded.scenarios],
    )
    def test_scenario(scenario_id: str, request: pytest.FixtureRequest) -> None:
        running = request.getfixturevalue("testkommune_inprocess" if inprocess else "testkommune")
        run = _run_of(request, loaded, make, running.base_url, kommune, system, seed, spec)
        scenario = next(s for s in loaded.scenarios if s.id == scenario_id)
        result = run.scenario(scenario)
        if result.outcome == "not_supported":  # outside what the fagsystem declared: not certified
            pytest.skip(result.error or "not supported")
        if result.outcome != "passed":
            lines = [f"{scenario_id} {result.outcome}: {scenario.title_en}"]
            lines += [f"  {f.code} at {f.field}: {f.text_en} Fix: {f.fix_en}" for f in result.failures]
            pytest.fail("\n".join(lines), pytrace=False)

    test_scenario.__doc__ = f"Certification suite {loaded.id}: {loaded.title_en}"
    return test_scenario


def _run_of(
    request: pytest.FixtureRequest,
    suite: Any,
    make: Callable[[], Any],
    base_url: str,
    kommune: str,
    system: str | None,
    seed: int,
    spec: str,
) -> _CertificationRun:
    """The session's run of this test function (one per suite and function), made on first use."""
    from testkommune.contracts.driver import KommuneConnection
    from testkommune.harness.certify.runner import Runner
    from testkommune.harness.evidence import EvidenceRecorder

    runs = request.config.stash[_RUNS]
    key = (request.module.__name__, request.node.originalname)  # a Function item
    if key not in runs:
        instance = make()
        connection = KommuneConnection(base_url, kommune, system or str(instance.name).lower())
        recorder = EvidenceRecorder()
        runner = Runner(suite, instance, connection, seed=seed, fagsystem_spec=spec, handlers=[recorder])
        vendor = request.config.getoption("--testkommune-vendor")
        runs[key] = _CertificationRun(runner, recorder, spec=spec, vendor=vendor)
    return runs[key]
