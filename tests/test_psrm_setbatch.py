"""PSRM's batch writes a run of new claims set-based (`simulators/psrm/oprettelser.py`): the same rows as one
action at a time, in a number of statements that does not grow with the run.

Real HTTP against a server on a fresh database (a SQLite file, and PostgreSQL when one is reachable); the
per-action path is the one `service.SET_BASED = False` takes.
"""

from __future__ import annotations

import copy
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from testkommune.harness.server import start_in_thread
from testkommune.simulators import prepared
from testkommune.simulators.prepared import Prepared
from testkommune.simulators.psrm import service

from tests.conftest import Api
from tests.messages import psrm_leverance_of
from tests.psrm_actions import relateret

ACTIONS = 130  # two steps of the batch (service.STEP_ACTIONS = 100)
TABLES = {"psrm_actions": "tenant, aktion_id", "psrm_claims": "id", "psrm_events": "id"}


def _struct(action: dict[str, Any]) -> dict[str, Any]:
    return action["AktionValg"]["OpretFordringAktion"]["MFOpretFordringStruktur"]


def _with_fee(action: dict[str, Any], ref: str) -> None:
    """Give the new claim a related claim (a fee) with claimant reference `ref`."""
    fee = dict(_struct(action)) | {
        "DMIFordringTypeKode": "GEOPKRÆ",
        "DMIFordringFordringHaverRef": ref,
        "FordringBeløbStruktur": {"ValutaKode": "DKK", "DMIFordringBeløb": 100.0},
        "FordringOprindeligBeløbStruktur": {"ValutaKode": "DKK", "EFIFordringOprindeligBeløb": 100.0},
    }
    fee.pop("MFAktionID")
    opret = action["AktionValg"]["OpretFordringAktion"]
    opret["OpretUnderfordringSamling"] = {"MFOpretRelateretFordringStruktur": [fee]}


def _mixed_leverance() -> dict[str, Any]:
    """New claims accepted, refused by the entry filter, sent to hearing, with a related claim, and claimant
    references used twice in one batch; an OPRETRELATERETFORDRING on the first claim in between."""
    message = psrm_leverance_of(ACTIONS, "L1")
    actions = message["FordringAktionSamling"]["FordringAktion"]
    for number, action in enumerate(actions):
        struct = _struct(action)
        if number % 7 == 1:  # refused by the entry filter (KFDAINS R_7_11: no description)
            del struct["FordringBeskrivelse"]
        elif number % 7 == 2:  # hearing (KFDAINS R_4_2: over 10.000 kr)
            struct["FordringBeløbStruktur"]["DMIFordringBeløb"] = 12000.0
            struct["FordringOprindeligBeløbStruktur"]["EFIFordringOprindeligBeløb"] = 12000.0
        elif number % 7 == 3:
            _with_fee(action, f"FEE-{number}")
    _struct(actions[5])["DMIFordringFordringHaverRef"] = "REF-L1-0"  # booked earlier in the run: 486
    _struct(actions[13])["DMIFordringFordringHaverRef"] = "REF-L1-2"  # only in hearing: accepted
    _struct(actions[11])["DMIFordringFordringHaverRef"] = "FEE-3"  # an earlier related claim's: 486
    _struct(actions[104])["DMIFordringFordringHaverRef"] = "REF-L1-98"  # the step before's: 486
    _struct(actions[110])["DMIFordringFordringHaverRef"] = "REF-L1-105"  # the same step's: 486
    fee = {k: v for k, v in _struct(actions[3]).items() if k != "MFAktionID"}
    fee |= {"DMIFordringTypeKode": "GEOPKRÆ", "DMIFordringFordringHaverRef": "FEE-ON-1"}
    actions.insert(20, relateret("1", fee))  # sees claim 1 only if the run before it was written
    return message


@contextmanager
def _kommune(url: str) -> Iterator[Api]:
    with start_in_thread(url) as kommune:
        api = Api(kommune.base_url, "851", "setbatch")
        api.clock(set="2026-09-20")
        yield api


def _deliver(url: str, message: dict[str, Any]) -> list[dict[str, Any]]:
    """Deliver the leverance, have it processed, and return its receipt."""
    with _kommune(url) as api:
        response = api.post("/psrm/MFFordringIndberet", message)
        assert response.status_code == 200, response.text[:500]
        receipt = api.post("/psrm/MFKvitteringHent", {"MFLeveranceID": message["MFLeveranceID"]})
        assert receipt.status_code == 200, receipt.text[:500]
        return receipt.json()["FordringAktionStatusSamling"]["MFAktionStruktur"]


def _dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of PSRM's actions, claims and events, as stored (JSON as its text on SQLite)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table: [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY {order}"))]
                for table, order in TABLES.items()
            }
    finally:
        engine.dispose()


def _sqlite_urls(tmp_path: Path) -> Iterator[tuple[str, str]]:
    yield f"sqlite:///{tmp_path / 'one-by-one.db'}", f"sqlite:///{tmp_path / 'set-based.db'}"


def _postgres_urls(tmp_path: Path) -> Iterator[tuple[str, str]]:
    from tests.test_postgres import _database

    with _database() as one_by_one, _database() as set_based:
        yield one_by_one, set_based


@pytest.fixture(params=["sqlite-file", "postgres"])
def urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    if request.param == "postgres":
        pytest.importorskip("psycopg", reason="the postgres extra (psycopg) is not installed")
    yield from (_postgres_urls if request.param == "postgres" else _sqlite_urls)(tmp_path)


def test_a_run_of_new_claims_books_the_same_rows_as_one_action_at_a_time(
    urls: tuple[str, str], monkeypatch: pytest.MonkeyPatch
):
    one_by_one, set_based = urls
    message = _mixed_leverance()
    monkeypatch.setattr(service, "SET_BASED", False)
    alone = _deliver(one_by_one, copy.deepcopy(message))
    monkeypatch.setattr(service, "SET_BASED", True)
    together = _deliver(set_based, copy.deepcopy(message))

    assert together == alone
    statuses = Counter(r["MFAktionStatusKode"] for r in together)
    assert statuses == {"UDFOERT": 89, "AFVIST": 23, "HOERING": 19}, statuses
    refused = {r["MFAktionID"]: r for r in together if r["MFAktionStatusKode"] == "AFVIST"}
    for number in (5, 11, 104, 110):  # the reference booked earlier in the same batch
        found = refused[f"L1-{number}"]["AfvistÅrsagSamling"]["MFAktionAfvistStruktur"]
        assert {e["code"] for e in found} == {"PSRM-486"}, found
    assert next(r for r in together if r["MFAktionID"] == "L1-13")["MFAktionStatusKode"] == "UDFOERT"
    assert _dump(set_based) == _dump(one_by_one)


class _Statements:
    """Statements sent to SQLite (one `execute` or `executemany` of the DB-API each), by their first words."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.counting = False

    def note(self, sql: str) -> None:
        if self.counting:
            self.sent.append(" ".join(sql.split()[:3]).upper())

    def writes(self) -> Counter[str]:
        return Counter(s for s in self.sent if s.startswith(("INSERT", "UPDATE")))


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> _Statements:
    """Count what every SQLite connection opened from now on is asked to run (SQLAlchemy's own statements
    and the `Prepared` ones, which go to the DB-API cursor directly)."""
    counter = _Statements()

    class Cursor(sqlite3.Cursor):
        def execute(self, sql: str, *args: Any) -> Any:
            counter.note(sql)
            return super().execute(sql, *args)

        def executemany(self, sql: str, *args: Any) -> Any:
            counter.note(sql)
            return super().executemany(sql, *args)

    class Connection(sqlite3.Connection):
        def cursor(self, factory: Any = Cursor) -> Any:
            return super().cursor(factory)

    connect = sqlite3.dbapi2.connect  # what SQLAlchemy's pysqlite dialect calls
    monkeypatch.setattr(sqlite3.dbapi2, "connect", lambda *a, **k: connect(*a, **k, factory=Connection))
    return counter


def _writes_processing(url: str, claims: int, statements: _Statements) -> Counter[str]:
    """The INSERTs and UPDATEs the batch sends for a leverance of `claims` new claims (each with a fee)."""
    message = psrm_leverance_of(claims, f"N{claims}")
    for action in message["FordringAktionSamling"]["FordringAktion"]:
        _with_fee(action, "FEE-" + _struct(action)["MFAktionID"])
    with _kommune(url) as api:
        api.settings({"psrm": {"behandlingstid_sekunder": 3600}})
        assert api.post("/psrm/MFFordringIndberet", message).status_code == 200
        statements.sent.clear()
        statements.counting = True
        api.clock(advance="2h")  # the batch runs before the clock is read back
        statements.counting = False
        done = api.post("/psrm/MFKvitteringHent", {"MFLeveranceID": message["MFLeveranceID"]}).json()
    assert {r["MFAktionStatusKode"] for r in done["FordringAktionStatusSamling"]["MFAktionStruktur"]} == {
        "UDFOERT"
    }
    return statements.writes()


def test_a_step_of_new_claims_sends_as_many_statements_for_10_claims_as_for_90(
    tmp_path: Path, statements: _Statements
):
    few = _writes_processing(f"sqlite:///{tmp_path / 'few.db'}", 10, statements)
    many = _writes_processing(f"sqlite:///{tmp_path / 'many.db'}", 90, statements)
    assert few == many, (few, many)
    assert many == {
        "INSERT INTO PSRM_CLAIMS": 1,
        "UPDATE PSRM_CLAIMS SET": 1,  # the fees' main claim ids
        "INSERT INTO PSRM_EVENTS": 1,
        "UPDATE PSRM_ACTIONS SET": 1,
        "UPDATE CLOCKS SET": 1,
    }, many


def test_returning_many_inserts_every_row_within_sqlites_parameter_limit(monkeypatch: pytest.MonkeyPatch):
    """`Prepared.returning_many` (the run's claims on SQLite) splits where a statement would take more
    parameters than SQLite allows, and returns every row's id."""
    monkeypatch.setattr(prepared, "_MAX_VARIABLES", 3)  # three rows of one parameter a statement
    table = sa.Table(
        "t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("a", sa.JSON)
    )
    engine = sa.create_engine("sqlite://")
    sent: list[str] = []
    with engine.begin() as conn:
        table.create(conn)
        conn.connection.dbapi_connection.set_trace_callback(sent.append)  # type: ignore[union-attr]
        rows = [{"a": {"n": n}} for n in range(7)]
        returned = Prepared(sa.insert(table).returning(table.c.id), ["a"]).returning_many(conn, rows)
        assert sorted(r[0] for r in returned) == list(range(1, 8))
        assert [r.a for r in conn.execute(sa.select(table).order_by(table.c.id))] == [r["a"] for r in rows]
    assert [s.count("(") - 1 for s in sent if s.startswith("INSERT")] == [3, 3, 1]  # VALUES groups
