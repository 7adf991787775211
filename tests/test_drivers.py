"""The driver never changes a verdict: Python object, HTTP trigger, observation and interactive agree."""

from __future__ import annotations

import io
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from testkommune.contracts.driver import KommuneConnection
from testkommune.harness.certify.client import AdminClient
from testkommune.harness.certify.drivers import (
    DriverError,
    HttpTriggerDriver,
    InteractiveDriver,
    ObservationDriver,
)
from testkommune.harness.certify.runner import Runner
from testkommune.harness.certify.suite import load_suite
from testkommune.scenarios.fagsystemer import VARIANTS
from testkommune.scenarios.fagsystemer.agent import ScriptFollower
from testkommune.scenarios.fagsystemer.trigger import trigger_app

from tests.fagsystem_stubs import OnlyDebitor

UNDER_TEST = [  # (suite, variant): the reference and broken variants of every kind of fagsystem action
    ("basis", "reference"),
    ("basis", "overdrager-foer-srb"),
    ("basis", "nyt-id-ved-genforsoeg"),
    ("finans", "reference"),
    ("finans", "ubalanceret-bilag"),
    ("finans", "henter-ikke-kvittering"),
    ("robusthed", "reference"),
    ("robusthed", "opgiver-i-servicevindue"),
    ("robusthed", "overdrager-igen"),
    ("robusthed", "samme-id-ved-rettelse"),
    ("forretningsomraader", "gebyr-som-hovedfordring"),
    ("fejlliste", "se-som-cvr"),
    ("fejlliste", "uden-fast-bopael-ignoreres"),
    ("fejlliste", "reference"),
    ("fejlliste", "ny-fordring-ved-rettelse"),
    ("fejlliste", "udbetaler-til-cvr"),
]


def _verdicts(
    base_url: str, driver, system: str, suite: str = "basis"
) -> list[tuple[str, str, list[tuple[str, str]]]]:
    result = Runner(load_suite(suite), driver, KommuneConnection(base_url, "851", system)).run()
    return [(s.scenario_id, s.outcome, [(f.code, f.field) for f in s.failures]) for s in result.scenarios]


def _admin(connection: KommuneConnection) -> AdminClient:
    return AdminClient(connection.base_url, connection.kommune, connection.system)


class _Served:
    def __init__(self, app) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.mark.parametrize(("suite", "variant"), UNDER_TEST)
def test_http_trigger_gives_the_python_drivers_verdict(kommune, suite, variant):
    expected = _verdicts(kommune.base_url, VARIANTS[variant](), f"py-{variant}", suite)
    assert any(outcome != "passed" for _, outcome, _ in expected) == (variant != "reference")
    with _Served(trigger_app(VARIANTS[variant]())) as url:
        driver = HttpTriggerDriver(url)
        assert driver.name == VARIANTS[variant].name
        assert _verdicts(kommune.base_url, driver, f"http-{variant}", suite) == expected


@pytest.mark.parametrize(("suite", "variant"), UNDER_TEST)
def test_observation_gives_the_python_drivers_verdict(kommune, suite, variant, tmp_path: Path):
    expected = _verdicts(kommune.base_url, VARIANTS[variant](), f"py-{variant}", suite)
    script = tmp_path / "script.jsonl"
    driver = ObservationDriver(script, _admin, timeout=20, quiet=0.15)
    with ScriptFollower(script, VARIANTS[variant]()) as follower:
        assert _verdicts(kommune.base_url, driver, f"obs-{variant}", suite) == expected
    assert follower.errors == []
    instructions = script.read_text("utf-8").splitlines()
    assert any('"kind": "bill"' in line for line in instructions)
    assert any('"kind": "finans"' in line for line in instructions) == (suite in ("finans", "robusthed"))
    assert any('"kind": "correct"' in line for line in instructions) == (suite == "fejlliste")
    assert any('"kind": "pay_out"' in line for line in instructions) == (suite == "fejlliste")


@pytest.mark.parametrize(
    ("suite", "variant", "timeout"),
    [
        ("basis", "overdrager-foer-srb", 20),
        ("finans", "ubalanceret-bilag", 20),
        ("fejlliste", "ingen-rettelse-efter-godkendelse", 4),  # ignores corrections: waits out the timeout
    ],
)
def test_interactive_gives_the_python_drivers_verdict(kommune, suite, variant, timeout):
    expected = _verdicts(kommune.base_url, VARIANTS[variant](), "py-interactive", suite)
    person = VARIANTS[variant]()
    printed = io.StringIO()
    driver: InteractiveDriver

    class Keyboard:
        """A person who reads each instruction, does it in their fagsystem, then presses Enter."""

        def readline(self) -> str:
            from tests.test_drivers import _act

            _act(person, driver.last_instruction)
            return "\n"

    driver = InteractiveDriver(_admin, out=printed, inp=Keyboard(), timeout=timeout, quiet=0.15)
    assert _verdicts(kommune.base_url, driver, "ia-interactive", suite) == expected
    first = load_suite(suite).scenarios[0].id
    assert f"Bill case {first}-1" in printed.getvalue() and "Press Enter when done." in printed.getvalue()
    if suite == "finans":
        assert "through ØiR finans (SF1590_A), one straksleverance each" in printed.getvalue()
        assert "in one masseleverance" in printed.getvalue()
    if suite == "fejlliste":
        assert "New facts after approval: case FEJL-04-1 now amounts to 3650.00 kr" in printed.getvalue()
        assert "Pay FEJL-05-1 (6400.00 kr) to the case's party through NemKonto" in printed.getvalue()


def _act(fagsystem, instruction) -> None:
    from datetime import date

    from testkommune.contracts.codec import case_from_json

    if instruction["kind"] == "connect":
        fagsystem.connect(KommuneConnection(**instruction["kommune"]))
    elif instruction["kind"] == "bill":
        fagsystem.bill(case_from_json(instruction["case"]), date.fromisoformat(instruction["today"]))
    elif instruction["kind"] == "pay_out":
        fagsystem.pay_out(
            [case_from_json(c) for c in instruction["cases"]], date.fromisoformat(instruction["today"])
        )
    elif instruction["kind"] == "correct":
        fagsystem.correct(case_from_json(instruction["case"]), date.fromisoformat(instruction["today"]))
    elif instruction["kind"] == "finans":
        cases = [case_from_json(c) for c in instruction["cases"]]
        fagsystem.post_finans(cases, date.fromisoformat(instruction["today"]), instruction["masse"])
    else:
        fagsystem.run_daily(date.fromisoformat(instruction["today"]))


def test_observation_names_what_never_arrived(kommune, tmp_path: Path):
    driver = ObservationDriver(tmp_path / "script.jsonl", _admin, timeout=0.5, quiet=0.05)
    result = Runner(load_suite("basis"), driver, KommuneConnection(kommune.base_url, "851", "nobody")).run(
        only=["BASIS-01"]
    )
    assert result.scenarios[0].outcome == "error"
    assert "nothing arrived" in (result.scenarios[0].error or "")


def test_a_dead_trigger_endpoint_is_a_clear_error():
    with pytest.raises(DriverError, match="did not answer"):
        HttpTriggerDriver("http://127.0.0.1:9", timeout=2)


def test_an_http_trigger_without_the_finans_action_is_reported_as_not_supported(kommune):
    with _Served(trigger_app(OnlyDebitor())) as url:
        connection = KommuneConnection(kommune.base_url, "851", "http-only-debitor")
        result = Runner(load_suite("finans"), HttpTriggerDriver(url), connection).run(only=["FIN-02"])
    outcome = result.scenarios[0]
    assert outcome.outcome == "not_supported" and outcome.failures[0].code == "CERT-IKKE-UNDERSTOETTET"
    assert "finans_masse" in (outcome.error or "")
