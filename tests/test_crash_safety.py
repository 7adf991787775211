"""kill -9 in the middle of a stream of deliveries: nothing acknowledged is lost, nothing is booked twice."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.messages import OIR_B01, fordring, opret

ROOT = Path(__file__).resolve().parents[1]
KOMMUNE = "851"
SYSTEM = "crash-test"
HEADERS = {"X-TK-Kommune": KOMMUNE, "X-TK-Anvendersystem": SYSTEM}

MAX_MESSAGES = 300
SENDERS = 4
KILL_AFTER_ACKS = 150
STREAM_SECONDS = 10.0
SERVE = (sys.executable, "-m", "testkommune.harness", "serve")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Served:
    """`testkommune serve` in a child process, on 127.0.0.1."""

    process: subprocess.Popen[str]
    base_url: str

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, whatever was not on disk is gone."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=15)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def state(self, system: str = SYSTEM) -> dict[str, Any]:
        response = requests.get(f"{self.base_url}/admin/tenants/{KOMMUNE}/{system}/state", timeout=10)
        assert response.status_code == 200, response.text
        return response.json()


def serve(cwd: Path, db: Path, *, env: dict[str, str] | None = None) -> Served:
    """Start `python -m harness serve --db <db>` on a free port; return once /admin/health answers."""
    port = free_port()
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    process = subprocess.Popen(
        [*SERVE, "--port", str(port), "--db", str(db), "--clock", "2026-09-20", "--log-level", "warning"],
        cwd=cwd,
        env=os.environ | {"PYTHONPATH": path} | (env or {}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if requests.get(f"{base_url}/admin/health", timeout=1).status_code == 200:
                return Served(process, base_url)
        except requests.ConnectionError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError(f"serve did not start: {process.communicate()}")


@dataclass
class Stream:
    """Distinct OpretDebitorkonto deliveries sent from a few threads until the server goes away."""

    url: str
    messages: list[dict[str, Any]]
    answers: dict[int, dict[str, Any]] = field(default_factory=dict)
    unanswered: set[int] = field(default_factory=set)
    refused: dict[int, str] = field(default_factory=dict)
    _next: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> int | None:
        with self._lock:
            if self._next >= len(self.messages):
                return None
            self._next += 1
            return self._next - 1

    def acked(self) -> int:
        with self._lock:
            return len(self.answers)

    def send(self, deadline: float) -> None:
        session = requests.Session()
        while time.monotonic() < deadline:
            index = self.take()
            if index is None:
                return
            try:
                response = session.post(self.url, json=self.messages[index], headers=HEADERS, timeout=5)
            except requests.RequestException:
                with self._lock:
                    self.unanswered.add(index)
                return  # the server is gone: this sender stops
            with self._lock:
                if response.status_code == 200:
                    self.answers[index] = response.json()
                else:
                    self.refused[index] = f"{response.status_code} {response.text[:300]}"


def _ref(index: int) -> str:
    return f"F{index:03d}"


@pytest.mark.slow
def test_kill_9_mid_stream_loses_nothing_acknowledged_and_books_nothing_twice(tmp_path):
    db = tmp_path / "kommune.db"
    messages = [opret(fordring(_ref(i)), account=f"K{i:03d}") for i in range(MAX_MESSAGES)]
    server = serve(tmp_path, db)
    stream = Stream(f"{server.base_url}{OIR_B01}/OpretDebitorkonto", messages)
    try:
        deadline = time.monotonic() + STREAM_SECONDS
        senders = [threading.Thread(target=stream.send, args=(deadline,)) for _ in range(SENDERS)]
        for sender in senders:
            sender.start()
        while stream.acked() < KILL_AFTER_ACKS and time.monotonic() < deadline - 5:
            time.sleep(0.005)
        server.kill()
        for sender in senders:
            sender.join(timeout=STREAM_SECONDS + 10)
        assert not any(sender.is_alive() for sender in senders)
    finally:
        server.stop()

    acked, unanswered = set(stream.answers), stream.unanswered
    print(
        f"\nkill -9 after {len(acked)} acknowledged deliveries; "
        f"{len(unanswered)} without an answer; {len(stream.refused)} refused"
    )
    assert not stream.refused, stream.refused
    assert len(acked) >= KILL_AFTER_ACKS // 2, "the stream was too short to say anything"
    assert unanswered, "the kill did not land mid-stream"
    assert all(a["Forretningskvittering"]["Status"] == "GODKENDT" for a in stream.answers.values())

    server = serve(tmp_path, db)
    try:
        state = server.state()
        booked = Counter(c["FordringReference"] for c in state["debitor"]["claims"])
        lost = sorted(_ref(i) for i in acked if booked[_ref(i)] == 0)
        twice = sorted(ref for ref, n in booked.items() if n > 1)
        in_flight_booked = sorted(_ref(i) for i in unanswered if booked[_ref(i)] == 1)
        print(f"after restart: lost {lost}, booked twice {twice}, unanswered but booked {in_flight_booked}")
        assert lost == [], f"acknowledged but lost: {lost}"
        assert twice == [], f"booked twice: {twice}"
        assert set(booked) <= {_ref(i) for i in acked | unanswered}, "booked what was never sent"
        assert all(d["status_code"] == 200 for d in state["oir"]["deliveries"]), "a half-stored delivery"

        session = requests.Session()
        url = f"{server.base_url}{OIR_B01}/OpretDebitorkonto"
        again = {
            i: session.post(url, json=messages[i], headers=HEADERS, timeout=10) for i in acked | unanswered
        }
        final = Counter(c["FordringReference"] for c in server.state()["debitor"]["claims"])
        assert final == Counter({_ref(i): 1 for i in acked | unanswered}), "re-sending did not converge"
        for index, response in sorted(again.items()):
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["Forretningskvittering"]["Status"] == "GODKENDT"
            replayed = body["Kvittering"].get("Genfremsendt") is True
            assert replayed == (booked[_ref(index)] == 1), (index, body["Kvittering"])
            if index in acked:
                assert body["Forretningskvittering"] == stream.answers[index]["Forretningskvittering"]
    finally:
        server.stop()
