"""`testkommune serve` over real HTTP, and state that survives a restart."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.messages import OIR_B01, fordring, opret

ROOT = Path(__file__).resolve().parents[1]
HEADERS = {"X-TK-Kommune": "851", "X-TK-Anvendersystem": "serve-test"}


SERVE = (sys.executable, "-m", "testkommune.harness", "serve")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(tmp_path: Path, port: int, *extra: str, quiet: bool = False) -> subprocess.Popen[str]:
    """Start `testkommune serve`; `quiet` sends its output nowhere (a full pipe blocks a chatty server)."""
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    output = subprocess.DEVNULL if quiet else subprocess.PIPE
    process = subprocess.Popen(
        [*SERVE, "--port", str(port), "--log-level", "warning", *extra],
        cwd=tmp_path,
        env=env,
        stdout=output,
        stderr=output,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/admin/health", timeout=1).status_code == 200:
                return process
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"serve did not start: {process.communicate()}")


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait(timeout=15)


def test_serve_answers_and_keeps_acknowledged_state_across_a_restart(tmp_path):
    port = _free_port()
    process = _start(tmp_path, port, "--clock", "2026-09-20")
    base = f"http://127.0.0.1:{port}"
    try:
        clock = requests.get(f"{base}/admin/tenants/851/serve-test/clock", timeout=5).json()
        assert clock["now"] == "2026-09-20T09:00:00+02:00" and clock["running"] is False
        message = opret(fordring("F1"))
        answer = requests.post(f"{base}{OIR_B01}/OpretDebitorkonto", json=message, headers=HEADERS, timeout=5)
        assert answer.json()["Forretningskvittering"]["Status"] == "GODKENDT"
    finally:
        process.kill()  # no clean shutdown: what was acknowledged must already be on disk
        process.wait(timeout=15)
    assert (tmp_path / ".testkommune" / "testkommune.db").is_file()
    process = _start(tmp_path, port)
    try:
        state = requests.get(f"{base}/admin/tenants/851/serve-test/state", timeout=5).json()
        assert [c["FordringReference"] for c in state["debitor"]["claims"]] == ["F1"]
        again = requests.post(
            f"{base}{OIR_B01}/OpretDebitorkonto", json=message, headers=HEADERS, timeout=5
        ).json()
        assert again["Kvittering"]["Genfremsendt"] is True
        assert (
            len(
                requests.get(f"{base}/admin/tenants/851/serve-test/state", timeout=5).json()["debitor"][
                    "claims"
                ]
            )
            == 1
        )
    finally:
        _stop(process)


def test_serve_refuses_a_port_in_use(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "testkommune.harness", "serve", "--port", str(port), "--db", ":memory:"],
            cwd=tmp_path,
            env=os.environ | {"PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 2
    assert "cannot listen" in result.stderr


def test_serve_refuses_several_workers_on_sqlite_and_says_why(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "testkommune.harness", "serve", "--port", str(_free_port()), "--workers", "2"],
        cwd=tmp_path,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "--workers > 1 needs a PostgreSQL --db" in result.stderr
    assert not (tmp_path / ".testkommune").exists()  # refused before anything was created


def test_the_log_file_rotates_and_keeps_only_its_backups(tmp_path):
    """--log-file: the access log goes to a file that rotates at --log-max-bytes, keeping --log-backups."""
    port = _free_port()
    log = tmp_path / "logs" / "testkommune.log"
    extra = ("--db", ":memory:", "--log-level", "debug", "--log-file", str(log))
    process = _start(tmp_path, port, *extra, "--log-max-bytes", "2048", "--log-backups", "2", quiet=True)
    try:
        with requests.Session() as session:
            for i in range(120):
                session.get(f"http://127.0.0.1:{port}/admin/tenants/851/log-{i}/clock", timeout=5)
    finally:
        _stop(process)
    files = sorted(p.name for p in log.parent.iterdir())
    assert files == ["testkommune.log", "testkommune.log.1", "testkommune.log.2"], files
    assert all(p.stat().st_size <= 2048 + 512 for p in log.parent.iterdir())
    assert "/admin/tenants/851/log-119/clock" in log.read_text("utf-8")
