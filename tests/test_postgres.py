"""The simulators on a real PostgreSQL server: `serve --workers 2` sharing one state database.

Needs the local server on 127.0.0.1:5432 (trust auth, database `test`; `.ci/run` starts it). Every run
creates its own uniquely named database and drops it afterwards. Skipped, with the reason, only when no
PostgreSQL is reachable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.messages import OIR_B01, fordring, opret, psrm_leverance

psycopg = pytest.importorskip("psycopg", reason="the postgres extra (psycopg) is not installed")

ROOT = Path(__file__).resolve().parents[1]
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test", "connect_timeout": 3}
KOMMUNE = "851"
SERVE = (sys.executable, "-m", "testkommune.harness", "serve", "--workers", "2")


def _admin() -> Any:
    try:
        return psycopg.connect(**PG, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL reachable on {PG['host']}:{PG['port']} (database {PG['dbname']}): {exc}")


@contextmanager
def _database() -> Iterator[str]:
    """A fresh, uniquely named database, dropped afterwards."""
    name = f"tk_test_{uuid.uuid4().hex[:12]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
    finally:
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url() -> Iterator[str]:
    with _database() as url:
        yield url


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`serve --workers 2` on a fresh database, shared by this module's tests (a tenant each)."""
    port = _free_port()
    with _database() as url:
        yield from _serve(url, port, tmp_path_factory.mktemp("pg-serve"))


@dataclass(frozen=True)
class Workers:
    """The two-worker server, seen as one fresh tenant."""

    base: str
    system: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-TK-Kommune": KOMMUNE, "X-TK-Anvendersystem": self.system}


@pytest.fixture
def two_workers(served: str) -> Workers:
    return Workers(served, f"pg-{uuid.uuid4().hex[:8]}")


def _popen(url: str, port: int, cwd: Path) -> subprocess.Popen[str]:
    """`serve --workers 2` on `url`, its output piped."""
    return subprocess.Popen(
        [*SERVE, "--port", str(port), "--db", url, "--clock", "2026-09-20", "--log-level", "warning"],
        cwd=cwd,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _serve(url: str, port: int, cwd: Path) -> Iterator[str]:
    process = _popen(url, port, cwd)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(process, base)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_healthy(process: subprocess.Popen[str], base: str) -> None:
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve --workers 2 exited: {process.communicate()}")
        try:
            if requests.get(f"{base}/admin/health", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"serve --workers 2 did not start: {process.communicate()}")


def _at_once(workers: Workers, path: str, messages: list[dict[str, Any]]) -> list[requests.Response]:
    """Post every message at the same moment, each on its own new connection (so both workers take some)."""
    barrier = threading.Barrier(len(messages))

    def post(message: dict[str, Any]) -> requests.Response:
        barrier.wait(timeout=20)
        headers = workers.headers | {"Connection": "close"}
        return requests.post(workers.base + path, json=message, headers=headers, timeout=60)

    with ThreadPoolExecutor(max_workers=len(messages)) as pool:
        return list(pool.map(post, messages))


def _state(workers: Workers) -> dict[str, Any]:
    response = requests.get(f"{workers.base}/admin/tenants/{KOMMUNE}/{workers.system}/state", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_two_workers_book_a_delivery_sent_twenty_times_at_once_exactly_once(two_workers):
    _state(two_workers)  # the tenant exists before the race: its creation is not what this test is about
    seen_workers: set[str] = set()
    # at least three races; more (bounded) until both workers took part, since the kernel decides which
    # worker accepts a connection and on a busy machine one of them may win a whole race
    for attempt in range(12):
        if attempt >= 3 and len(seen_workers) == 2:
            break
        message = opret(fordring(f"F{attempt}"), account=f"K{attempt}")
        answers = _at_once(two_workers, f"{OIR_B01}/OpretDebitorkonto", [message] * 20)
        assert [a.status_code for a in answers] == [200] * 20, [
            a.text for a in answers if a.status_code != 200
        ]
        seen_workers |= {a.headers["X-TK-Worker"] for a in answers}
        bodies = [a.json() for a in answers]
        first = [b for b in bodies if not b["Kvittering"].get("Genfremsendt")]
        assert len(first) == 1, f"{len(first)} answers claim to be the first delivery"
        for body in bodies:
            body["Kvittering"].pop("Genfremsendt", None)
        assert {json.dumps(b, sort_keys=True) for b in bodies} == {json.dumps(first[0], sort_keys=True)}
        claims = _state(two_workers)["debitor"]["claims"]
        assert Counter(c["FordringReference"] for c in claims)[f"F{attempt}"] == 1
    assert len(seen_workers) == 2, f"only one worker answered: {seen_workers}"


def test_a_psrm_action_sent_at_once_to_both_workers_is_received_once(two_workers):
    message = psrm_leverance(leverance="L-dup", aktion="A-dup")
    answers = _at_once(two_workers, "/psrm/MFFordringIndberet", [message] * 12)
    assert [a.status_code for a in answers] == [200] * 12, [a.text for a in answers if a.status_code != 200]
    statuses = Counter(
        a.json()["FordringInfo"]["FordringAktionStatusSamling"]["MFAktionStruktur"][0]["MFAktionStatusKode"]
        for a in answers
    )
    assert statuses == {"MODTAGET": 1, "AFVIST": 11}
    state = _state(two_workers)["psrm"]
    assert [a["MFAktionID"] for a in state["actions"]] == ["A-dup"]
    assert len(state["claims"]) == 1


def test_claims_created_through_both_workers_are_all_booked_once(two_workers):
    """60 claims over many connections: both workers take some, PSRM's batch books each exactly once."""
    messages = [psrm_leverance(leverance=f"L{i}", aktion=f"A{i}") for i in range(60)]
    answers: list[requests.Response] = []
    for chunk in range(0, 60, 15):
        answers += _at_once(two_workers, "/psrm/MFFordringIndberet", messages[chunk : chunk + 15])
    assert [a.status_code for a in answers] == [200] * 60
    assert all(
        a.json()["FordringInfo"]["FordringAktionStatusSamling"]["MFAktionStruktur"][0]["MFAktionStatusKode"]
        == "MODTAGET"
        for a in answers
    )
    workers = Counter(a.headers["X-TK-Worker"] for a in answers)
    assert len(workers) == 2, f"only one worker answered: {workers}"
    state = _state(two_workers)["psrm"]  # this read runs the batch for whatever is still due
    actions = {a["MFAktionID"]: a for a in state["actions"]}
    assert sorted(actions) == sorted(f"A{i}" for i in range(60))
    assert Counter(a["MFAktionStatusKode"] for a in actions.values()) == {"UDFOERT": 60}
    refs = Counter(c["claimant_ref"] for c in state["claims"])
    assert refs == {f"REF-A{i}": 1 for i in range(60)}


def test_stores_opened_at_once_on_an_empty_database_create_one_schema(pg_url):
    from testkommune.simulators import store

    errors: list[BaseException] = []
    stores: list[store.Store] = []
    barrier = threading.Barrier(4)

    def open_store() -> None:
        barrier.wait(timeout=20)
        try:
            stores.append(store.Store(pg_url))
        except BaseException as exc:  # reported below, whatever it is
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert errors == [] and len(stores) == 4
        with stores[0].transaction() as conn:
            versions = conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema_version'").all()
        assert versions == [(store.SCHEMA_VERSION,)]
    finally:
        for opened in stores:
            opened.close()


def test_two_workers_stop_cleanly_on_sigterm_and_spread_connections(pg_url: str, tmp_path: Path) -> None:
    """SIGTERM stops both workers without an error (exit 0), and new connections reach both of them."""
    port = _free_port()
    process = _popen(pg_url, port, tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(process, base)
        workers = set()
        for _ in range(40):  # a fresh connection each: the kernel spreads them over the workers' sockets
            with requests.Session() as fresh:  # a contract refusal (400) also names the worker that answered
                answer = fresh.post(
                    f"{base}/psrm/MFFordringIndberet",
                    json={},
                    headers={"X-TK-Kommune": KOMMUNE, "X-TK-Anvendersystem": "pg-stop"},
                    timeout=10,
                )
                assert answer.status_code == 400, answer.text
                workers.add(answer.headers["X-TK-Worker"])
            if len(workers) == 2:
                break
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    assert len(workers) == 2, f"only {workers} answered 40 fresh connections"


def test_a_dead_worker_stops_the_server_with_an_error(pg_url: str, tmp_path: Path) -> None:
    """A worker that dies (kill -9) stops the others, and `serve` exits 1, not 0."""
    port = _free_port()
    process = _popen(pg_url, port, tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(process, base)
        answer = requests.post(
            f"{base}/psrm/MFFordringIndberet",
            json={},
            headers={"X-TK-Kommune": KOMMUNE, "X-TK-Anvendersystem": "pg-dies"},
            timeout=10,
        )
        os.kill(int(answer.headers["X-TK-Worker"]), 9)
        process.wait(timeout=40)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)
    assert process.returncode == 1
