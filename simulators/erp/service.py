"""The ERP's intake of Finansbilag: straks (answered at once) and masse (processed later on the clock).

Every bilag gets a row in `erp_bilag` when it arrives. A straksleverance is processed in the same
transaction and its forretningskvittering is the answer; a masseleverance's bilag wait until the simulated
clock passes `received + erp.masse_behandlingstid_sekunder` and are processed, oldest first, the next time
the tenant is touched (`process_due`; by a call, in committed parts, `process_step`), judged as of their due
time. Postings land on kontostrenge in `erp_posteringer`; each answer is kept for `HentForretningskvittering`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import IntegrityError
from testkommune.contracts.clock import danish_date, iso
from testkommune.contracts.findings import Finding, join_path
from testkommune.contracts.jsontext import Written
from testkommune.simulators.context import OpContext
from testkommune.simulators.erp import opsaetning, tables
from testkommune.simulators.erp.bilag import AFVIST, GODKENDT, UNDER_BEHANDLING, Bilag, read_bilag
from testkommune.simulators.erp.kontoplan import Kontostreng
from testkommune.simulators.erp.kvittering import forretningskvittering
from testkommune.simulators.erp.omsaetning import Mangel, Omsaetningstabel
from testkommune.simulators.erp.rules import BilagKontekst, finansbilag_rules
from testkommune.simulators.prepared import Prepared
from testkommune.simulators.store import inserted_id
from testkommune.simulators.tenancy import Tenant

STEP_LINES = 120
"""`process_step` books bilag up to this many lines (at least one bilag): tens of milliseconds at most."""
HUB_SERVICE = "ModtagFinansbilag"
"""One idempotency space for straks and masse: a TransaktionsID is one delivery, whichever mode."""
STRAKS, MASSE = "STRAKS", "MASSE"


@dataclass(frozen=True, slots=True)
class Pending:
    """A received bilag not yet processed."""

    row_id: int
    transaktions_id: str
    position: int
    leverance: str
    request: dict[str, Any]

    @property
    def path(self) -> str:
        return "$.Finansbilag" if self.leverance == STRAKS else join_path("$", "Finansbilag", self.position)


@dataclass(frozen=True, slots=True)
class Judged:
    """One bilag judged as of `when`: its findings and, per line, the kontostreng it maps to (or None)."""

    bilag: Bilag
    when: datetime
    findings: list[Finding]
    konti: list[Kontostreng | None]

    @property
    def mapping(self) -> list[dict[str, Any] | None]:
        return [k.view() if k else None for k in self.konti]

    def answer(self, status: str) -> dict[str, Any]:
        return forretningskvittering(self.bilag, status, self.findings, self.konti, self.when)


# -- statements, built once per process: a call only binds values ---------------------------------------

_BILAG = tables.bilag
_INSERT_BILAG = sa.insert(_BILAG)
_ROW_KEYS = (
    "tenant", "transaktions_id", "position", "leverance", "bilag_id", "leverandoer_kort",
    "leverandoer_lang", "status", "received_at", "due_at", "request",
    "processed_at", "mapping", "booked_key", "answer",
)  # fmt: skip
"""The columns of a straksbilag's row, written once in its final state."""
_INSERT_PROCESSED = Prepared(_INSERT_BILAG, _ROW_KEYS)
_INSERT_POSTERINGER = sa.insert(tables.posteringer)
_UPSERTS: dict[str, Callable[[sa.Table], sqlite.Insert | postgresql.Insert]] = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}


def _books() -> tuple[sa.Label[Any], ...]:
    """What the books say about a bilag's dataleverandør and id (see `BilagKontekst`), as scalar columns."""
    b = _BILAG.c
    booked = (b.tenant == sa.bindparam("tenant"), b.status == GODKENDT)
    lang = sa.select(b.leverandoer_lang).where(*booked, b.leverandoer_kort == sa.bindparam("kort")).limit(1)
    kort = sa.select(b.leverandoer_kort).where(*booked, b.leverandoer_lang == sa.bindparam("lang")).limit(1)
    earlier = sa.select(b.transaktions_id).where(
        b.tenant == sa.bindparam("tenant"), b.booked_key == sa.bindparam("booked_key")
    )  # at most one row: (tenant, booked_key) is unique
    return (
        lang.scalar_subquery().label("lang_for_kort"),
        kort.scalar_subquery().label("kort_for_lang"),
        earlier.limit(1).scalar_subquery().label("bogfoert_i"),
    )


_BOOKS = sa.select(*_books())
_STRAKS_FACTS = Prepared(
    sa.select(
        sa.select(opsaetning.STORED_TEXT)
        .where(tables.opsaetning.c.tenant == sa.bindparam("tenant"))
        .scalar_subquery()
        .label("omsaetningstabel"),
        *_books(),
    )
)
"""One round trip before a straksbilag is judged: the stored omsætningstabel, the books (the sortiment
versions due by now were delivered by the Klassifikationssystem's batch job before the call)."""
_DUE = (
    sa.select(_BILAG)
    .where(
        _BILAG.c.tenant == sa.bindparam("tenant"),
        _BILAG.c.status == UNDER_BEHANDLING,
        _BILAG.c.due_at <= sa.bindparam("now"),
    )
    .order_by(_BILAG.c.due_at, _BILAG.c.id)
)
_STEP_ROWS = STEP_LINES // 8  # as many bilag as a part can hold when each has 8 lines
_DUE_STEP = _DUE.limit(_STEP_ROWS)
_SETTLE = (
    sa.update(_BILAG)
    .where(_BILAG.c.id == sa.bindparam("row_id"))
    .values(
        status=sa.bindparam("s_status"),
        booked_key=sa.bindparam("s_booked_key"),
        answer=sa.bindparam("s_answer"),
        processed_at=sa.bindparam("s_processed_at"),
        mapping=sa.bindparam("s_mapping"),
    )
)
_HENT_COLUMNS = ("transaktions_id", "leverance", "bilag_id", "status", "due_at", "answer")  # not request
_HENT = (
    sa.select(*(_BILAG.c[n] for n in _HENT_COLUMNS[:-1]), sa.cast(_BILAG.c.answer, sa.Text).label("answer"))
    .where(_BILAG.c.tenant == sa.bindparam("tenant"), _BILAG.c.transaktions_id == sa.bindparam("tid"))
    .order_by(_BILAG.c.position)
)


@cache
def _insert_booked(dialect: str) -> Prepared | None:
    """A booked bilag's insert that skips (returns no id) when its booked_key is taken, where supported."""
    insert = _UPSERTS.get(dialect)
    if insert is None:
        return None
    conflict = insert(_BILAG).on_conflict_do_nothing(index_elements=[_BILAG.c.tenant, _BILAG.c.booked_key])
    return Prepared(conflict.returning(_BILAG.c.id), _ROW_KEYS)


# -- operations ------------------------------------------------------------------------------------------


def modtag_straks(ctx: OpContext, message: dict[str, Any], transaktions_id: str) -> dict[str, Any]:
    """ModtagFinansbilag: process the bilag now; its forretningskvittering is the answer.

    The bilag is judged before its row is written, so the row is inserted once, in its final state.
    """
    raw = message["Finansbilag"]
    bilag = read_bilag(raw, "$.Finansbilag")
    conn, tenant = ctx.conn, ctx.tenant
    facts = _STRAKS_FACTS.first(conn, _book_params(tenant, bilag))
    assert facts is not None  # a select without FROM has one row
    omsaetningstabel = opsaetning.tabel_of(tenant, facts["omsaetningstabel"])
    judged = _judge(tenant, ctx.settings, ctx.now, bilag, omsaetningstabel, facts)
    row = _straks_row(ctx, transaktions_id, raw, judged)
    if not judged.findings:
        answer = judged.answer(GODKENDT)
        row_id = _insert_godkendt(conn, row | {"booked_key": _booked_key(bilag), "answer": answer})
        if row_id is not None:
            _book(conn, tenant, row_id, bilag, judged.konti, ctx.now)
            return answer
        # another process booked the same bilag meanwhile: judge again, as a dublet
        judged = _judge(
            tenant, ctx.settings, ctx.now, bilag, omsaetningstabel, _read_books(conn, tenant, bilag)
        )
        if not judged.findings:
            raise RuntimeError(f"bilag {_booked_key(bilag)} of {tenant.key} collided but is not booked")
    answer = judged.answer(AFVIST)
    _INSERT_PROCESSED.execute(conn, row | {"status": AFVIST, "booked_key": None, "answer": answer})
    return answer


def modtag_masse(ctx: OpContext, message: dict[str, Any], transaktions_id: str) -> dict[str, Any]:
    """ModtagFinansbilagMasse: take every bilag for processing at the tenant's processing time."""
    due = ctx.now + opsaetning.masse_delay(ctx.settings)
    rows = [
        _received(ctx, transaktions_id, position, MASSE, raw, due)
        for position, raw in enumerate(message["Finansbilag"])
    ]
    ctx.conn.execute(_INSERT_BILAG, rows)
    return {
        "Status": UNDER_BEHANDLING,
        "AntalBilag": len(message["Finansbilag"]),
        "BehandlesTidspunkt": iso(due),
    }


def process_due(conn: Connection, tenant: Tenant, settings: dict[str, Any], now: datetime) -> int:
    """Process every received bilag due by `now`, oldest first, each as of its due time."""
    due = conn.execute(_DUE, {"tenant": tenant.key, "now": now.isoformat()}).all()
    _process_rows(conn, tenant, settings, due)
    return len(due)


def process_step(conn: Connection, tenant: Tenant, settings: dict[str, Any], now: datetime) -> bool:
    """`process_due` for the oldest due bilag up to STEP_LINES lines; True when more may be due."""
    due = conn.execute(_DUE_STEP, {"tenant": tenant.key, "now": now.isoformat()}).all()
    taken, lines = 0, 0
    while taken < len(due) and lines < STEP_LINES:
        lines += len(due[taken].request["Finanspostering"])
        taken += 1
    _process_rows(conn, tenant, settings, due[:taken])
    return taken < len(due) or len(due) == _STEP_ROWS


def _process_rows(conn: Connection, tenant: Tenant, settings: dict[str, Any], due: Sequence[Any]) -> None:
    """Process received bilag rows, oldest first, each as of its due time."""
    if not due:
        return
    omsaetningstabel = opsaetning.tabel(conn, tenant)  # SF7002 versions due by now: delivered before
    for row in due:
        pending = Pending(row.id, row.transaktions_id, row.position, row.leverance, row.request)
        _process(conn, tenant, settings, pending, datetime.fromisoformat(row.due_at), omsaetningstabel)


def hent(conn: Connection, tenant: Tenant, transaktions_id: str) -> dict[str, Any] | None:
    """HentForretningskvittering: the stored answer of every bilag of a delivery, or None if unknown."""
    rows = conn.execute(_HENT, {"tenant": tenant.key, "tid": transaktions_id.lower()}).all()
    if not rows:
        return None
    answers = [
        Written(row.answer)  # as stored: copied into the answer, not read and written again
        if row.status != UNDER_BEHANDLING
        else {
            "BilagID": row.bilag_id,
            "Status": UNDER_BEHANDLING,
            "BehandlesTidspunkt": iso(datetime.fromisoformat(row.due_at)),
        }
        for row in rows
    ]
    return {
        "TransaktionsID": rows[0].transaktions_id,
        "Leverance": rows[0].leverance,
        "Behandlet": all(row.status != UNDER_BEHANDLING for row in rows),
        "Forretningskvittering": answers,
    }


def _received(
    ctx: OpContext, transaktions_id: str, position: int, leverance: str, raw: dict[str, Any], due: datetime
) -> dict[str, Any]:
    """The columns of a bilag's row as it arrives (still UNDER_BEHANDLING)."""
    return {
        "tenant": ctx.tenant.key,
        "transaktions_id": transaktions_id,
        "position": position,
        "leverance": leverance,
        "bilag_id": raw["BilagID"],
        "leverandoer_kort": raw["DataleverandøridentifikationKort"],
        "leverandoer_lang": raw["DataleverandørIdentifikationLang"],
        "status": UNDER_BEHANDLING,
        "received_at": ctx.now.isoformat(),
        "due_at": due.isoformat(),
        "request": raw,
    }  # booked_key, processed_at, mapping and answer stay NULL (a JSON None would store 'null')


def _straks_row(ctx: OpContext, transaktions_id: str, raw: dict[str, Any], judged: Judged) -> dict[str, Any]:
    """A straksbilag's row, received and processed now (status, booked_key and answer still to set)."""
    received = _received(ctx, transaktions_id, 0, STRAKS, raw, ctx.now)
    return received | {"processed_at": judged.when.isoformat(), "mapping": judged.mapping}


def _insert_godkendt(conn: Connection, row: dict[str, Any]) -> int | None:
    """Insert a booked bilag's row; its id, or None when another booking holds its booked_key."""
    values = row | {"status": GODKENDT}
    statement = _insert_booked(conn.dialect.name)
    if statement is not None:
        inserted = statement.execute(conn, values).fetchone()
        return None if inserted is None else int(inserted[0])
    try:
        with conn.begin_nested():
            return inserted_id(conn.execute(_INSERT_BILAG, values))
    except IntegrityError:
        return None


def _process(
    conn: Connection,
    tenant: Tenant,
    settings: dict[str, Any],
    pending: Pending,
    when: datetime,
    omsaetningstabel: Omsaetningstabel,
) -> dict[str, Any]:
    """Judge a received bilag as of `when`; book it whole or reject it whole; store and return the answer."""
    bilag = read_bilag(pending.request, pending.path)
    judged = _judge(tenant, settings, when, bilag, omsaetningstabel, _read_books(conn, tenant, bilag))
    settle = {"row_id": pending.row_id, "s_processed_at": when.isoformat(), "s_mapping": judged.mapping}
    if not judged.findings:
        answer = judged.answer(GODKENDT)
        try:
            with conn.begin_nested():  # the unique booked_key refuses a second booking of the same bilag
                booked = {"s_status": GODKENDT, "s_booked_key": _booked_key(bilag), "s_answer": answer}
                conn.execute(_SETTLE, settle | booked)
                _book(conn, tenant, pending.row_id, bilag, judged.konti, when)
            return answer
        except IntegrityError:  # another process booked the same bilag meanwhile: judge again, as a dublet
            books = _read_books(conn, tenant, bilag)
            judged = _judge(tenant, settings, when, bilag, omsaetningstabel, books)
            if not judged.findings:
                raise
    answer = judged.answer(AFVIST)
    conn.execute(_SETTLE, settle | {"s_status": AFVIST, "s_booked_key": None, "s_answer": answer})
    return answer


def _booked_key(bilag: Bilag) -> str:
    return f"{bilag.kort}/{bilag.bilag_id}"


def _book_params(tenant: Tenant, bilag: Bilag) -> dict[str, Any]:
    return {"tenant": tenant.key, "kort": bilag.kort, "lang": bilag.lang, "booked_key": _booked_key(bilag)}


def _read_books(conn: Connection, tenant: Tenant, bilag: Bilag) -> RowMapping:
    """What the ERP's books say about this bilag's dataleverandør and id, in one statement."""
    return conn.execute(_BOOKS, _book_params(tenant, bilag)).one()._mapping


def _judge(
    tenant: Tenant,
    settings: dict[str, Any],
    when: datetime,
    bilag: Bilag,
    omsaetningstabel: Omsaetningstabel,
    books: Mapping[str, Any] | RowMapping,
) -> Judged:
    """Run the ERP's rules on one bilag as of `when`; each line is mapped once, for rules and books."""
    mapped = tuple(omsaetningstabel.omsaet(line.sortiment) for line in bilag.linjer)
    erp = opsaetning.erp_settings(settings)
    kontekst = BilagKontekst(
        kommune=tenant.kommune,
        kommune_cvr=erp["kommune_cvr"],
        aabne_perioder=opsaetning.perioder(settings, danish_date(when)),
        tabel=omsaetningstabel,
        lang_for_kort=books["lang_for_kort"],
        kort_for_lang=books["kort_for_lang"],
        bogfoert_i=books["bogfoert_i"],
        omsat=mapped,
    )
    findings = list(finansbilag_rules.run(bilag, kontekst))
    return Judged(bilag, when, findings, [_konto(m) for m in mapped])


def _konto(mapped: Kontostreng | list[Mangel]) -> Kontostreng | None:
    return mapped if isinstance(mapped, Kontostreng) else None


def _book(
    conn: Connection,
    tenant: Tenant,
    row_id: int,
    bilag: Bilag,
    konti: Sequence[Kontostreng | None],
    when: datetime,
) -> None:
    """The bilag's posteringer, one executemany (lines without a kontostreng are not booked)."""
    booked_at, dato = when.isoformat(), bilag.bogfoeringsdato.isoformat()
    rows = [
        {
            "tenant": tenant.key,
            "bilag_row": row_id,
            "linje": line.nummer,
            "kontostreng": konto.tekst,
            "konto": konto.view(),
            "debet_oere": line.debet,
            "kredit_oere": line.kredit,
            "tekst": line.tekst,
            "bogfoeringsdato": dato,
            "booked_at": booked_at,
        }
        for line, konto in zip(bilag.linjer, konti, strict=True)
        if konto is not None
    ]
    conn.execute(_INSERT_POSTERINGER, rows)
