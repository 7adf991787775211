"""The ERP's intake of Finansbilag: straks (answered at once) and masse (processed later on the clock).

Every bilag gets a row in `erp_bilag` when it arrives. A straksleverance is processed in the same
transaction and its forretningskvittering is the answer; a masseleverance's bilag wait until the simulated
clock passes `received + erp.masse_behandlingstid_sekunder` and are processed, oldest first, the next time
the tenant is touched (`process_due`), judged as of their due time. Accepted postings land on kontostrenge
in `erp_posteringer`; the answer of every bilag is stored for `HentForretningskvittering`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from harness.core.clock import danish_date, iso
from harness.core.findings import join_path
from simulators.context import OpContext
from simulators.erp import opsaetning, tables
from simulators.erp.bilag import AFVIST, GODKENDT, UNDER_BEHANDLING, Bilag, read_bilag
from simulators.erp.kontoplan import Kontostreng
from simulators.erp.kvittering import forretningskvittering
from simulators.erp.omsaetning import Omsaetningstabel
from simulators.erp.rules import BilagKontekst, finansbilag_rules
from simulators.klassifikation.service import lever_forfaldne
from simulators.tenancy import Tenant

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


def modtag_straks(ctx: OpContext, message: dict[str, Any], transaktions_id: str) -> dict[str, Any]:
    """ModtagFinansbilag: process the bilag now; its forretningskvittering is the answer."""
    pending = _receive(ctx, transaktions_id, 0, STRAKS, message["Finansbilag"], ctx.now)
    lever_forfaldne(ctx.conn, ctx.tenant, ctx.now)  # the sortiment versions SF7002 has delivered by now
    return _process(
        ctx.conn, ctx.tenant, ctx.settings, pending, ctx.now, opsaetning.tabel(ctx.conn, ctx.tenant)
    )


def modtag_masse(ctx: OpContext, message: dict[str, Any], transaktions_id: str) -> dict[str, Any]:
    """ModtagFinansbilagMasse: take every bilag for processing at the tenant's processing time."""
    due = ctx.now + opsaetning.masse_delay(ctx.settings)
    for position, raw in enumerate(message["Finansbilag"]):
        _receive(ctx, transaktions_id, position, MASSE, raw, due)
    return {
        "Status": UNDER_BEHANDLING,
        "AntalBilag": len(message["Finansbilag"]),
        "BehandlesTidspunkt": iso(due),
    }


def process_due(conn: Connection, tenant: Tenant, settings: dict[str, Any], now: datetime) -> int:
    """Process every received bilag due by `now`, oldest first, each as of its due time."""
    table = tables.bilag
    due = conn.execute(
        sa.select(table)
        .where(
            table.c.tenant == tenant.key,
            table.c.status == UNDER_BEHANDLING,
            table.c.due_at <= now.isoformat(),
        )
        .order_by(table.c.due_at, table.c.id)
    ).all()
    if not due:
        return 0
    lever_forfaldne(conn, tenant, now)
    omsaetningstabel = opsaetning.tabel(conn, tenant)
    for row in due:
        pending = Pending(row.id, row.transaktions_id, row.position, row.leverance, row.request)
        _process(conn, tenant, settings, pending, datetime.fromisoformat(row.due_at), omsaetningstabel)
    return len(due)


def hent(conn: Connection, tenant: Tenant, transaktions_id: str) -> dict[str, Any] | None:
    """HentForretningskvittering: the stored answer of every bilag of a delivery, or None if unknown."""
    table = tables.bilag
    rows = conn.execute(
        sa.select(table)
        .where(table.c.tenant == tenant.key, table.c.transaktions_id == transaktions_id.lower())
        .order_by(table.c.position)
    ).all()
    if not rows:
        return None
    answers = [
        row.answer
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


def _receive(
    ctx: OpContext, transaktions_id: str, position: int, leverance: str, raw: dict[str, Any], due: datetime
) -> Pending:
    result = ctx.conn.execute(
        sa.insert(tables.bilag).values(
            tenant=ctx.tenant.key,
            transaktions_id=transaktions_id,
            position=position,
            leverance=leverance,
            bilag_id=raw["BilagID"],
            leverandoer_kort=raw["DataleverandøridentifikationKort"],
            leverandoer_lang=raw["DataleverandørIdentifikationLang"],
            status=UNDER_BEHANDLING,
            received_at=ctx.now.isoformat(),
            due_at=due.isoformat(),
            request=raw,
        )
    )
    return Pending(int(result.inserted_primary_key[0]), transaktions_id, position, leverance, raw)


def _process(
    conn: Connection,
    tenant: Tenant,
    settings: dict[str, Any],
    pending: Pending,
    when: datetime,
    omsaetningstabel: Omsaetningstabel,
) -> dict[str, Any]:
    """Judge one bilag as of `when`; book it whole or reject it whole; store and return the answer."""
    bilag = read_bilag(pending.request, pending.path)
    kontekst = _kontekst(conn, tenant, settings, when, bilag, omsaetningstabel)
    findings = finansbilag_rules.run(bilag, kontekst)
    mapped = [omsaetningstabel.omsaet(line.sortiment) for line in bilag.linjer]
    konti = [m if isinstance(m, Kontostreng) else None for m in mapped]
    mapping = [k.view() if k else None for k in konti]
    row = tables.bilag.c.id == pending.row_id
    conn.execute(sa.update(tables.bilag).where(row).values(processed_at=when.isoformat(), mapping=mapping))
    if not findings:
        answer = forretningskvittering(bilag, GODKENDT, [], konti, when)
        try:
            with conn.begin_nested():  # the unique booked_key refuses a second booking of the same bilag
                conn.execute(
                    sa.update(tables.bilag)
                    .where(row)
                    .values(status=GODKENDT, booked_key=_booked_key(bilag), answer=answer)
                )
                _book(conn, tenant, pending.row_id, bilag, konti, when)
            return answer
        except IntegrityError:  # another process booked the same bilag meanwhile: judge again, as a dublet
            kontekst = _kontekst(conn, tenant, settings, when, bilag, omsaetningstabel)
            findings = finansbilag_rules.run(bilag, kontekst)
            if not findings:
                raise
    answer = forretningskvittering(bilag, AFVIST, findings, konti, when)
    conn.execute(sa.update(tables.bilag).where(row).values(status=AFVIST, answer=answer))
    return answer


def _booked_key(bilag: Bilag) -> str:
    return f"{bilag.kort}/{bilag.bilag_id}"


def _kontekst(
    conn: Connection,
    tenant: Tenant,
    settings: dict[str, Any],
    when: datetime,
    bilag: Bilag,
    omsaetningstabel: Omsaetningstabel,
) -> BilagKontekst:
    """What the ERP's books say about this bilag's dataleverandør and id, and its settings as of `when`."""
    table = tables.bilag
    booked = (table.c.tenant == tenant.key, table.c.status == GODKENDT)
    lang = conn.execute(
        sa.select(table.c.leverandoer_lang).where(*booked, table.c.leverandoer_kort == bilag.kort).limit(1)
    ).scalar()
    kort = conn.execute(
        sa.select(table.c.leverandoer_kort).where(*booked, table.c.leverandoer_lang == bilag.lang).limit(1)
    ).scalar()
    earlier = conn.execute(
        sa.select(table.c.transaktions_id).where(
            table.c.tenant == tenant.key, table.c.booked_key == _booked_key(bilag)
        )
    ).scalar()
    erp = opsaetning.erp_settings(settings)
    return BilagKontekst(
        kommune=tenant.kommune,
        kommune_cvr=erp["kommune_cvr"],
        aabne_perioder=opsaetning.perioder(settings, danish_date(when)),
        tabel=omsaetningstabel,
        lang_for_kort=lang,
        kort_for_lang=kort,
        bogfoert_i=earlier,
    )


def _book(
    conn: Connection,
    tenant: Tenant,
    row_id: int,
    bilag: Bilag,
    konti: Sequence[Kontostreng | None],
    when: datetime,
) -> None:
    conn.execute(
        sa.insert(tables.posteringer),
        [
            {
                "tenant": tenant.key,
                "bilag_row": row_id,
                "linje": line.nummer,
                "kontostreng": konto.tekst,
                "konto": konto.view(),
                "debet_oere": line.debet,
                "kredit_oere": line.kredit,
                "tekst": line.tekst,
                "bogfoeringsdato": bilag.bogfoeringsdato.isoformat(),
                "booked_at": when.isoformat(),
            }
            for line, konto in zip(bilag.linjer, konti, strict=True)
            if konto is not None
        ],
    )
