"""Reproducing a failure after the run: `testkommune replay`, replay lines that parse, the sample trigger."""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from testkommune.harness.certify.results import RunResult
from testkommune.harness.cli import build_parser
from testkommune.harness.reporting.console import replay_command

ROOT = Path(__file__).resolve().parents[1]
ENV = os.environ | {"COLUMNS": "100", "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
REPORT = "testkommune-reports/basis-foraeldrebetaling-periode-omvendt.json"


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "testkommune.harness", *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def failed_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the reports of a run that failed BASIS-01 (the test kommune it used is gone)."""
    folder = tmp_path_factory.mktemp("failed-run")
    result = run_cli("certify", "--fagsystem", "periode-omvendt", "--scenario", "BASIS-01", cwd=folder)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"testkommune replay {REPORT} BASIS-01" in result.stdout
    return folder


def test_replay_restores_the_state_and_sends_the_failing_message_again(failed_run):
    old_url = json.loads((failed_run / REPORT).read_text("utf-8"))["base_url"]
    with pytest.raises(requests.ConnectionError):  # what the report's curl line meets after the run
        requests.get(f"{old_url}/admin/health", timeout=5)
    result = run_cli("replay", REPORT, "BASIS-01", cwd=failed_run)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "BASIS-01 ran again (failed; codes ['PSRM-569']): reproduced" in out
    assert "sent again: POST /service/OIR/DebitorRegistreringAfsend/1/OpretDebitorkonto → 200" in out
    answer = json.loads(out[out.index("{") : out.rindex("}") + 1])
    assert answer["Forretningskvittering"]["Fejl"][0]["code"] == "PSRM-569"


@pytest.mark.parametrize(
    ("failure", "message"),
    [("BASIS-02", "no failing scenario BASIS-02"), ("BASIS-01:5", "failures 1 to 1")],
)
def test_replay_of_a_failure_the_report_does_not_hold_is_a_usage_error(failed_run, failure, message):
    result = run_cli("replay", REPORT, failure, cwd=failed_run)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def _result(spec: str) -> RunResult:
    return RunResult("basis", "t", "observed-fagsystem", "unknown", "observe", "851", "x", 3, "1", "now", "u",
                     fagsystem_spec=spec)  # fmt: skip


@pytest.mark.parametrize(
    ("spec", "options"),
    [
        ("periode-omvendt", {"fagsystem": "periode-omvendt", "driver": "python"}),
        ("<observe my script.jsonl>", {"driver": "observe", "script": Path("my script.jsonl")}),
        ("<http http://127.0.0.1:9000>", {"driver": "http", "trigger_url": "http://127.0.0.1:9000"}),
        ("<interactive>", {"driver": "interactive"}),
    ],
)
def test_every_replay_line_is_a_valid_command_for_its_driver(spec, options):
    words = shlex.split(replay_command(_result(spec), "BASIS-02"))
    assert words[:2] == ["testkommune", "certify"]
    args = build_parser().parse_args(words[1:])
    assert (args.suite, args.scenario, args.seed) == ("basis", ["BASIS-02"], 3)
    assert {key: getattr(args, key) for key in options} == options


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_sample_trigger_drives_a_certification_over_http(tmp_path):
    port = _free_port()
    sample = subprocess.Popen(
        [sys.executable, "-m", "testkommune.harness", "trigger-sample", "--port", str(port)],
        cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert "sample trigger for foraeldrebetaling" in (sample.stdout.readline() if sample.stdout else "")
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):  # the line is printed just before uvicorn accepts; wait for the socket
            try:
                info = requests.get(url + "/", timeout=2).json()
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        assert info["name"] == "foraeldrebetaling"
        refused = requests.post(url + "/bill", json={"case": {}, "today": "1. oktober"}, timeout=5)
        assert refused.status_code == 400
        assert any(p.startswith("$.today: ") for p in refused.json()["problems"])
        result = run_cli("certify", "--driver", "http", "--trigger-url", url, "--scenario", "BASIS-01",
                         cwd=tmp_path)  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        assert "VERDICT: PASSED" in result.stdout
    finally:
        sample.terminate()
        sample.wait(timeout=10)


def test_replay_serve_keeps_a_kommune_whose_curl_line_works(failed_run):
    from testkommune.harness.commands.replay import parse_curl

    port = _free_port()
    command = ["replay", REPORT, "BASIS-01", "--serve", "--port", str(port)]
    served = subprocess.Popen(
        [sys.executable, "-m", "testkommune.harness", *command],
        cwd=failed_run, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = ""
        while served.stdout and not line.startswith("curl "):
            line = served.stdout.readline()
            assert line, served.stderr.read() if served.stderr else "replay ended"
        assert f"http://127.0.0.1:{port}/" in line
        message = parse_curl(line.strip(), f"http://127.0.0.1:{port}")
        url = f"http://127.0.0.1:{port}{message.path}"
        answer = requests.request(
            message.method, url, data=message.body.encode(), headers=message.headers, timeout=10
        )
        assert answer.status_code == 200
        assert answer.json()["Forretningskvittering"]["Fejl"][0]["code"] == "PSRM-569"
    finally:
        served.terminate()
        served.wait(timeout=10)
