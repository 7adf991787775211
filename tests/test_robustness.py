"""Robustness: duplicates at once, two servers on one database, and hostile input of every kind.

Every answer is a result or a structured problem (RFC 9457) — never a 5xx, never a claim booked twice.
"""

from __future__ import annotations

import json
import re
import select
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from testkommune.contracts.clock import ClockState, parse_instant
from testkommune.contracts.findings import Finding
from testkommune.simulators import store
from testkommune.simulators.debitor import service as debitor
from testkommune.simulators.debitor import tables as debitor_tables
from testkommune.simulators.http import MAX_JSON_DEPTH
from testkommune.simulators.oir import hub
from testkommune.simulators.prepared import Prepared
from testkommune.simulators.simulation import Simulation
from testkommune.simulators.tenancy import Tenant

from tests.messages import OIR_B01, OIR_B02, codes, fordring, opret, overdrag, psrm_leverance
from tests.test_crash_safety import ROOT, Served, serve

OPRET = f"{OIR_B01}/OpretDebitorkonto"
SERVICE = "DebitorRegistreringAfsend.OpretDebitorkonto"
DUPLICATES = 20


def _problem(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and code in codes(body["errors"]), body
    return body


def _without_genfremsendt(body: dict[str, Any]) -> dict[str, Any]:
    return body | {"Kvittering": {k: v for k, v in body["Kvittering"].items() if k != "Genfremsendt"}}


def _send_at_once(
    urls: list[str], message: dict[str, Any], headers: dict[str, str]
) -> list[requests.Response]:
    """POST `message` to every url from its own thread, all released by one barrier."""
    barrier = threading.Barrier(len(urls))
    answers: list[requests.Response | BaseException] = [RuntimeError("not sent")] * len(urls)

    def send(i: int) -> None:
        session = requests.Session()
        barrier.wait(timeout=10)
        try:
            answers[i] = session.post(urls[i], json=message, headers=headers, timeout=30)
        except requests.RequestException as exc:
            answers[i] = exc

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(urls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    failed = [a for a in answers if not isinstance(a, requests.Response)]
    assert not failed, failed
    return answers  # type: ignore[return-value]


def _assert_one_booking(answers: list[requests.Response], claims: list[dict[str, Any]], ref: str) -> None:
    """Every answer 200 and the same but for Genfremsendt, exactly one first answer, `ref` booked once."""
    assert [a.status_code for a in answers] == [200] * len(answers), [a.text for a in answers]
    bodies = [a.json() for a in answers]
    first = [b for b in bodies if not b["Kvittering"].get("Genfremsendt")]
    assert len(first) == 1, f"{len(first)} answers claim to be the first delivery"
    assert all(b["Kvittering"]["Genfremsendt"] is True for b in bodies if b is not first[0])
    assert {json.dumps(_without_genfremsendt(b), sort_keys=True) for b in bodies} == {
        json.dumps(first[0], sort_keys=True)
    }
    assert first[0]["Forretningskvittering"]["Status"] == "GODKENDT"
    assert Counter(c["FordringReference"] for c in claims)[ref] == 1


# -- the same delivery many times at once ---------------------------------------------------------------


def test_twenty_identical_deliveries_at_once_book_one_claim(api):
    message = opret(fordring("F1"))
    answers = _send_at_once([api.base_url + OPRET] * DUPLICATES, message, api.headers)
    _assert_one_booking(answers, api.state()["debitor"]["claims"], "F1")


@pytest.mark.slow
def test_two_servers_on_one_database_book_a_duplicated_delivery_once(tmp_path):
    db = tmp_path / "shared.db"
    servers: list[Served] = []
    try:
        servers.append(serve(tmp_path, db))
        servers.append(serve(tmp_path, db))
        headers = {"X-TK-Kommune": "851", "X-TK-Anvendersystem": "crash-test"}
        urls = [servers[i % 2].base_url + OPRET for i in range(DUPLICATES)]
        servers[0].state()  # the tenant exists before the race: its creation is not what this test is about
        for attempt in range(5):
            message = opret(fordring(f"F{attempt}"), account=f"K{attempt}")
            answers = _send_at_once(urls, message, headers)
            _assert_one_booking(answers, servers[attempt % 2].state()["debitor"]["claims"], f"F{attempt}")
    finally:
        for server in servers:
            server.stop()


# -- the hub's race, made deterministic ----------------------------------------------------------------


class _TwoServers:
    """Two simulations (as two server processes would hold) over one SQLite file, one tenant."""

    def __init__(self, db: Path) -> None:
        start = ClockState.frozen_at(parse_instant("2026-09-20T09:00:00+02:00"))
        self.first = Simulation(store=store.Store(f"sqlite:///{db}"), start_clock=start)
        self.second = Simulation(store=store.Store(f"sqlite:///{db}"), start_clock=start)
        self.tenant = Tenant("851", "race")
        self.business_runs: list[str] = []
        with self.first.operation(self.tenant):
            pass  # the tenant exists before either delivers

    def deliver(self, sim: Simulation, message: dict[str, Any]) -> hub.Delivered | Any:
        with sim.operation(self.tenant) as ctx:

            def book(message_id: str) -> dict[str, Any]:
                self.business_runs.append(message_id)
                return debitor.opret_debitorkonto(ctx, message, message_id)

            return hub.deliver(ctx, SERVICE, message, book)

    def rows(self, table: sa.Table) -> list[Any]:
        with self.first.store.transaction() as conn:
            return conn.execute(sa.select(table).where(table.c.tenant == self.tenant.key)).all()

    def close(self) -> None:
        self.first.store.close()
        self.second.store.close()


@pytest.fixture
def two_servers(tmp_path: Path) -> Any:
    servers = _TwoServers(tmp_path / "shared.db")
    yield servers
    servers.close()


def _first_server_commits_before_the_second_claims(two_servers, monkeypatch, message, won: list[Any]) -> None:
    """Just before the second server's INSERT INTO deliveries runs (a prepared statement on the DB-API
    cursor, `simulators/prepared.py`), the first server delivers `message` and commits."""
    execute = Prepared.execute

    def racing(self: Prepared, conn: Any, params: Any) -> Any:
        claim = isinstance(self.statement, sa.Insert) and self.statement.table is store.deliveries
        if claim and conn.engine is two_servers.second.store.engine and not won:
            won.append(two_servers.deliver(two_servers.first, message))
        return execute(self, conn, params)

    monkeypatch.setattr(Prepared, "execute", racing)


def test_hub_answers_with_the_stored_answer_when_another_server_wins_the_race(two_servers, monkeypatch):
    """The second server looked and found nothing; the first commits the same id before its insert."""
    message = opret(fordring("F1"))
    won: list[Any] = []
    _first_server_commits_before_the_second_claims(two_servers, monkeypatch, message, won)

    lost = two_servers.deliver(two_servers.second, message)

    assert len(won) == 1 and won[0].replayed is False
    assert isinstance(lost, hub.Delivered) and lost.replayed is True and lost.status == 200
    assert lost.body["Kvittering"].pop("Genfremsendt") is True
    assert lost.body == won[0].body
    assert two_servers.business_runs == [message["Hovedoplysninger"]["TransaktionsID"]]
    assert [c.reference for c in two_servers.rows(debitor_tables.claims)] == ["F1"]
    assert [d.status_code for d in two_servers.rows(store.deliveries)] == [200]


def test_hub_refuses_a_reused_id_with_other_content_when_it_loses_the_race(two_servers, monkeypatch):
    message = opret(fordring("F1"))
    other = opret(fordring("F2"))
    other["Hovedoplysninger"] = message["Hovedoplysninger"]
    won: list[Any] = []
    _first_server_commits_before_the_second_claims(two_servers, monkeypatch, message, won)

    lost = two_servers.deliver(two_servers.second, other)

    assert lost == Finding(
        "OIR-TRANSAKTIONSID-GENBRUGT",
        "$.Hovedoplysninger.TransaktionsID",
        {"value": message["Hovedoplysninger"]["TransaktionsID"]},
    )
    assert [c.reference for c in two_servers.rows(debitor_tables.claims)] == ["F1"]


def test_a_delivery_whose_business_work_fails_leaves_no_trace(two_servers):
    """The delivery row is written first: it must commit with the business work or not at all."""
    message = opret(fordring("F1"))
    with (
        pytest.raises(RuntimeError, match="business failed"),
        two_servers.first.operation(two_servers.tenant) as ctx,
    ):
        hub.deliver(ctx, SERVICE, message, lambda message_id: _fail())
    assert two_servers.rows(store.deliveries) == []

    again = two_servers.deliver(two_servers.second, message)
    assert isinstance(again, hub.Delivered) and again.replayed is False
    assert again.body["Forretningskvittering"]["Status"] == "GODKENDT"


def _fail() -> dict[str, Any]:
    raise RuntimeError("business failed")


# -- hostile input -------------------------------------------------------------------------------------


def _post_raw(api, path: str, data: bytes | str, method: str = "POST") -> requests.Response:
    headers = api.headers | {"content-type": "application/json"}
    return requests.request(method, api.base_url + path, data=data, headers=headers, timeout=30)


def test_a_batch_over_the_limit_is_refused_whole(api):
    message = opret(*[fordring(f"F{i}") for i in range(101)])
    body = _problem(api.opret(message), 400, "SCHEMA-ITEMS")
    assert "$.OpretDebitorkonto.Fordring" in {e["path"] for e in body["errors"]}
    assert api.state()["debitor"]["claims"] == []
    assert (
        api.opret(opret(*[fordring(f"F{i}") for i in range(100)])).json()["Forretningskvittering"]["Status"]
        == "GODKENDT"
    )


def _nest(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    ("path", "build"),
    [
        (OPRET, lambda nest: json.dumps(opret(fordring())).replace('"DKK"', nest)),
        (OPRET, lambda nest: json.dumps(opret(fordring()))[:-1] + f', "Ekstra": {nest}}}'),
        ("/psrm/MFFordringIndberet", lambda nest: json.dumps(psrm_leverance()).replace('"DKK"', nest)),
        (f"{OIR_B02}/HentDebitorkonto", lambda nest: f'{{"DebitorkontoReference": {nest}}}'),
    ],
    ids=["opret-field", "opret-extra", "psrm-field", "hent-field"],
)
def test_deep_nesting_inside_a_valid_envelope_is_refused_not_crashed(api, path, build):
    """Small bodies nested deeper than any contract: a schema problem, or refused as too deep — not a 500."""
    shallow = _post_raw(api, path, build(_nest(5)))
    assert shallow.status_code == 400 and codes(shallow.json()["errors"]) & {
        "SCHEMA-TYPE",
        "SCHEMA-UKENDT-FELT",
    }
    for depth in [MAX_JSON_DEPTH, 100, *range(940, 1000, 4), 5000]:
        response = _post_raw(api, path, build(_nest(depth)))
        assert response.status_code == 400, (depth, response.text[:300])
        assert response.headers["content-type"].startswith("application/problem+json")
    body = _problem(_post_raw(api, path, build(_nest(200))), 400, "HTTP-UGYLDIG-JSON")
    assert f"deeper than {MAX_JSON_DEPTH}" in body["errors"][0]["text_en"]


def _settings_x(raw_value: str) -> str:
    return f'{{"psrm": {{"x": {raw_value}}}}}'


def test_deep_nesting_in_admin_settings_is_refused(api):
    response = requests.patch(f"{api.admin_path}/settings", data=_settings_x(_nest(960)), timeout=30)
    _problem(response, 400, "HTTP-UGYLDIG-JSON")
    assert api.state()["tenant"].endswith(api.system)


@pytest.mark.parametrize(
    "number", ["NaN", "Infinity", "-Infinity", "1e309", "-1e309", "1" * 5000], ids=lambda n: n[:12]
)
def test_numbers_json_does_not_have_are_refused(api, number):
    text = json.dumps(opret(fordring("F1"))).replace("3200.0", number)
    body = _problem(_post_raw(api, OPRET, text), 400, "HTTP-UGYLDIG-JSON")
    assert body["errors"][0]["path"] == "$"
    settings = requests.patch(f"{api.admin_path}/settings", data=_settings_x(number), timeout=30)
    _problem(settings, 400, "HTTP-UGYLDIG-JSON")
    state = api.state()
    assert state["debitor"]["claims"] == [] and "x" not in api.settings({})["psrm"]


def test_control_characters_are_refused_in_keys_and_kept_verbatim_in_free_text(api):
    ref = json.dumps(opret(fordring("F1")))
    for bad_ref in ("F\\u00001", "F\\u001b1", "F\\n1"):
        _problem(_post_raw(api, OPRET, ref.replace('"F1"', f'"{bad_ref}"')), 400, "SCHEMA-PATTERN")
    text = "Forældrebetaling \x00 \x01\x07\x1b[31m \x7f \u2028 slut"
    answer = api.opret(opret(fordring("F1", Beskrivelse=text)))
    assert answer.status_code == 200 and answer.json()["Forretningskvittering"]["Status"] == "GODKENDT"
    assert [c["Data"]["Beskrivelse"] for c in api.state()["debitor"]["claims"]] == [text]
    assert api.ret_tilstand(overdrag("F1")).status_code == 200
    assert api.hent("K1").status_code == 200


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\ud83d x"], ids=["high", "low", "high-then-text"])
def test_lone_surrogates_are_refused(api, escape):
    text = json.dumps(opret(fordring("F1"))).replace("Test Testesen", f"Test {escape}")
    body = _problem(_post_raw(api, OPRET, text), 400, "HTTP-UGYLDIG-JSON")
    assert "surrogate" in body["errors"][0]["text_en"]
    paired = json.dumps(opret(fordring("F1"))).replace("Test Testesen", "Test \\ud83d\\ude00")
    assert _post_raw(api, OPRET, paired).status_code == 200


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "GET"])
@pytest.mark.parametrize("path", [OPRET, f"{OIR_B02}/HentDebitorkonto", "/psrm/MFFordringIndberet"])
def test_other_methods_on_service_paths_get_a_structured_405(api, method, path):
    response = requests.request(method, api.base_url + path, headers=api.headers, timeout=30)
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/problem+json")
    if method != "HEAD":  # a HEAD answer has no body
        assert codes(response.json()["errors"]) == {"HTTP-METODE"}


# -- a slow client -------------------------------------------------------------------------------------


def _slow_post(
    base_url: str, body: bytes, *, send: int, gap_s: float, read_timeout_s: float
) -> tuple[bytes, float]:
    """Send the headers, then `send` bytes of the body one at a time `gap_s` apart, until an answer comes.

    Returns the raw answer (head and body) and the seconds until its head arrived.
    """
    host, port = base_url.removeprefix("http://").split(":")
    head = (
        f"POST {OPRET} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nX-TK-Kommune: 851\r\nX-TK-Anvendersystem: slow\r\n\r\n"
    ).encode()
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=read_timeout_s) as sock:
        sock.sendall(head)
        answer = b""
        sent = 0
        while b"\r\n\r\n" not in answer and time.monotonic() - started < read_timeout_s:
            if sent < send:
                sock.sendall(body[sent : sent + 1])
                sent += 1
            if select.select([sock], [], [], gap_s)[0]:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        took = time.monotonic() - started
        answer_head, _, payload = answer.partition(b"\r\n\r\n")
        declared = re.search(rb"(?im)^content-length: *(\d+)", answer_head)
        while declared and len(payload) < int(declared.group(1)) and (chunk := sock.recv(65536)):
            payload += chunk
    return answer_head + b"\r\n\r\n" + payload, took


@pytest.fixture(scope="module")
def impatient(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A served test kommune whose body timeout is 1 s (TESTKOMMUNE_BODY_TIMEOUT_S, read at import)."""
    tmp = tmp_path_factory.mktemp("impatient")
    server = serve(tmp, tmp / "kommune.db", env={"TESTKOMMUNE_BODY_TIMEOUT_S": "1"})
    yield server
    server.stop()


@pytest.mark.parametrize("send", [0, 20], ids=["headers-only", "trickle"])
def test_a_body_that_does_not_arrive_in_time_gets_408(impatient, send):
    body = json.dumps(opret(fordring("F1"))).encode()
    answer, took = _slow_post(impatient.base_url, body, send=send, gap_s=0.1, read_timeout_s=6)
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), answer[:300]
    assert b"application/problem+json" in head
    problem = json.loads(payload)
    assert codes(problem["errors"]) == {"HTTP-UGYLDIG-JSON"}
    assert "body not received within 1 s" in problem["errors"][0]["text_en"]
    assert 0.9 < took < 4, took
    assert impatient.state("slow")["debitor"]["claims"] == []


def test_a_slow_client_holds_up_no_one_else(impatient):
    """While one client trickles its body, another is answered at once."""
    result: list[tuple[bytes, float]] = []
    slow = threading.Thread(
        target=lambda: result.append(
            _slow_post(impatient.base_url, b"{" + b" " * 100, send=100, gap_s=0.02, read_timeout_s=6)
        )
    )
    slow.start()
    time.sleep(0.2)
    started = time.monotonic()
    quick = requests.post(
        impatient.base_url + OPRET,
        json=opret(fordring("F1")),
        headers={"X-TK-Kommune": "851", "X-TK-Anvendersystem": "quick"},
        timeout=10,
    )
    assert quick.status_code == 200 and time.monotonic() - started < 0.9
    slow.join(timeout=10)
    assert result and result[0][0].startswith(b"HTTP/1.1 408")


def test_the_body_timeout_is_ten_seconds_unless_configured():
    probe = "import simulators.http as h; print(h.BODY_TIMEOUT_S)"
    env = {"PYTHONPATH": str(ROOT)}
    default = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    configured = subprocess.run(
        [sys.executable, "-c", probe],
        env=env | {"TESTKOMMUNE_BODY_TIMEOUT_S": "2.5"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (default.stdout.strip(), configured.stdout.strip()) == ("10.0", "2.5")
