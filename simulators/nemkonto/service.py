"""NemKonto's business operations (SF1590_E): intake of a betalingsanmodning bundle, its processing on the
simulated clock, and the forretningssvar fetched (again) by the fagsystem.

A bundle gets its modtagekontrol when it arrives (the answer to NKSBetalingsanmodningAfsend): a reused
GrpId or wrong control totals refuse it whole; a reused EndToEndId refuses that payment. The bundle and
payment references are taken in the database (unique keys per myndighed + dataleverandør), so a race
between two servers cannot take one twice. The payments are answered once the clock passes
`received + nemkonto.behandlingstid_sekunder` (`process_due`, run before every call), each as of that due
time: the account comes from the request (komplet) or the NemKonto register (ukomplet); a benefit payout
(`Betalingsart: YDELSE`) is first set off against the payee's due claims in the kommune's debitor system
(`simulators.debitor.api.modregn`, idempotent per payment) when `nemkonto.modregning` is on, and only
the rest is paid out, once (`nemkonto_udbetalinger`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from testkommune.contracts.clock import danish_date, iso
from testkommune.contracts.findings import Finding, describe_all, join_path
from testkommune.simulators.context import OpContext
from testkommune.simulators.debitor.api import modregn
from testkommune.simulators.nemkonto import opsaetning, tables, views
from testkommune.simulators.nemkonto.anmodning import (
    AFVIST,
    BEHANDLET,
    GODKENDT,
    KOMPLET,
    UNDER_BEHANDLING,
    YDELSE,
    Bundt,
    Transaktion,
    read_bundt,
)
from testkommune.simulators.nemkonto.rules import (
    Modtagekontekst,
    Udbetalingskontekst,
    bundle_level,
    modtagekontrol,
    transaction_index,
    udbetalingskontrol,
)
from testkommune.simulators.store import inserted_id
from testkommune.simulators.tenancy import Tenant

HUB_SERVICE = "NKSBetalingsanmodningAfsend"
ANMODNING, NEMKONTO = "ANMODNING", "NEMKONTO"


def afsend(ctx: OpContext, message: dict[str, Any], transaktions_id: str) -> dict[str, Any]:
    """NKSBetalingsanmodningAfsend: the modtagekontrol of the bundle; its payments wait for processing."""
    conn, tenant = ctx.conn, ctx.tenant
    bundt = read_bundt(message)
    findings = modtagekontrol.run(bundt, _modtagekontekst(conn, tenant, bundt))
    refused = [f for f in findings if bundle_level(f)]
    due = ctx.now + opsaetning.delay(ctx.settings)
    row_id = _insert_bundt(conn, tenant, transaktions_id, bundt, message, ctx.now, due)
    if not refused and not _take_bundt_key(conn, row_id, bundt):  # another server took the GrpId meanwhile
        refused = modtagekontrol.run(bundt, _modtagekontekst(conn, tenant, bundt))
        refused = [f for f in refused if bundle_level(f)] or [
            Finding("NK-BUNDT-DUBLET", "$.GroupHeader.GrpId")
        ]
    if refused:
        conn.execute(
            sa.update(tables.bundter)
            .where(tables.bundter.c.id == row_id)
            .values(status=AFVIST, fejl=describe_all(refused), processed_at=ctx.now.isoformat())
        )
    for t in bundt.transaktioner:
        own = [f for f in findings if transaction_index(f) == t.position]
        _insert_transaktion(conn, tenant, row_id, bundt, t, own, bundle_refused=bool(refused))
    row = conn.execute(sa.select(tables.bundter).where(tables.bundter.c.id == row_id)).one()
    return views.modtagekontrol(row)


def process_due(conn: Connection, tenant: Tenant, settings: dict[str, Any], now: datetime) -> int:
    """Answer the betalingsanmodninger whose time has come on the simulated clock, oldest first."""
    table = tables.bundter
    due = conn.execute(
        sa.select(table)
        .where(
            table.c.tenant == tenant.key,
            table.c.status == UNDER_BEHANDLING,
            table.c.due_at <= now.isoformat(),
        )
        .order_by(table.c.due_at, table.c.id)
    ).all()
    for row in due:
        _process(conn, tenant, settings, row, datetime.fromisoformat(row.due_at))
    return len(due)


def hent(
    conn: Connection, tenant: Tenant, transaktions_id: str | None, now: datetime
) -> list[dict[str, Any]] | None:
    """NKSForretningssvarHent: the answer of one delivery (again, as often as asked; None if unknown), or,
    without an id, every answered bundle not fetched before (then marked fetched)."""
    table = tables.bundter
    if transaktions_id is not None:
        rows = conn.execute(
            sa.select(table)
            .where(table.c.tenant == tenant.key, table.c.transaktions_id == transaktions_id.lower())
            .order_by(table.c.id)
        ).all()
        return [views.forretningssvar(conn, row) for row in rows] or None
    rows = conn.execute(
        sa.select(table)
        .where(table.c.tenant == tenant.key, table.c.status != UNDER_BEHANDLING, table.c.fetched_at.is_(None))
        .order_by(table.c.processed_at, table.c.id)
    ).all()
    if rows:
        conn.execute(
            sa.update(table).where(table.c.id.in_([r.id for r in rows])).values(fetched_at=now.isoformat())
        )
    return [views.forretningssvar(conn, row) for row in rows]


def _modtagekontekst(conn: Connection, tenant: Tenant, bundt: Bundt) -> Modtagekontekst:
    b, t = tables.bundter, tables.transaktioner
    taken_by = conn.execute(
        sa.select(b.c.transaktions_id).where(
            b.c.tenant == tenant.key, b.c.bundt_key == bundt.key(bundt.grp_id)
        )
    ).scalar()
    keys = {bundt.key(x.end_to_end_id): x.end_to_end_id for x in bundt.transaktioner}
    taken = conn.execute(
        sa.select(t.c.reference_key, b.c.transaktions_id)
        .join(b, b.c.id == t.c.bundt_row)
        .where(t.c.tenant == tenant.key, t.c.reference_key.in_(list(keys)))
    ).all()
    return Modtagekontekst(grp_id_taget_af=taken_by, referencer_taget={keys[k]: tid for k, tid in taken})


def _insert_bundt(
    conn: Connection,
    tenant: Tenant,
    transaktions_id: str,
    bundt: Bundt,
    message: dict[str, Any],
    now: datetime,
    due: datetime,
) -> int:
    result = conn.execute(
        sa.insert(tables.bundter).values(
            tenant=tenant.key,
            transaktions_id=transaktions_id,
            grp_id=bundt.grp_id,
            myndighed=bundt.myndighed,
            leverandoer_kort=bundt.kort,
            leverandoer_lang=bundt.lang,
            status=UNDER_BEHANDLING,
            received_at=now.isoformat(),
            due_at=due.isoformat(),
            request=message,
            fejl=[],
        )
    )
    return inserted_id(result)


def _take_bundt_key(conn: Connection, row_id: int, bundt: Bundt) -> bool:
    """Take the GrpId for this bundle and give it its 8-digit NKS bundle number (oeir.md §4.4 [C])."""
    try:
        with conn.begin_nested():
            conn.execute(
                sa.update(tables.bundter)
                .where(tables.bundter.c.id == row_id)
                .values(bundt_key=bundt.key(bundt.grp_id), nks_bundtnummer=f"{row_id % 10**8:08d}")
            )
    except IntegrityError:
        return False
    return True


def _insert_transaktion(
    conn: Connection,
    tenant: Tenant,
    bundt_row: int,
    bundt: Bundt,
    t: Transaktion,
    own: list[Finding],
    *,
    bundle_refused: bool,
) -> None:
    status = AFVIST if bundle_refused or own else UNDER_BEHANDLING
    result = conn.execute(
        sa.insert(tables.transaktioner).values(
            tenant=tenant.key,
            bundt_row=bundt_row,
            position=t.position,
            end_to_end_id=t.end_to_end_id,
            status=status,
            modtager_type=t.modtager_type,
            modtager=t.modtager,
            betalingsform=t.betalingsform,
            betalingsart=t.betalingsart,
            beloeb_oere=t.oere,
            fejl=describe_all(own),
        )
    )
    if status != UNDER_BEHANDLING:
        return
    row = tables.transaktioner.c.id == inserted_id(result)
    try:
        with conn.begin_nested():
            conn.execute(
                sa.update(tables.transaktioner).where(row).values(reference_key=bundt.key(t.end_to_end_id))
            )
    except IntegrityError:  # another server took the EndToEndId meanwhile
        finding = Finding(
            "NK-ENDTOENDID-DUBLET",
            join_path(t.path, "EndToEndId"),
            {"value": t.end_to_end_id, "myndighed": bundt.myndighed, "leverandoer": bundt.leverandoer},
        )
        conn.execute(
            sa.update(tables.transaktioner).where(row).values(status=AFVIST, fejl=describe_all([finding]))
        )


def _process(conn: Connection, tenant: Tenant, settings: dict[str, Any], bundle: Any, when: datetime) -> None:
    """Answer every waiting payment of one bundle as of `when`; pay out what is accepted, once.

    The bundle is claimed first by a conditional update: a second server processing the same due bundle
    finds it taken (no rows updated) and leaves it alone."""
    b_table, t_table = tables.bundter, tables.transaktioner
    claimed = conn.execute(
        sa.update(b_table)
        .where(b_table.c.id == bundle.id, b_table.c.status == UNDER_BEHANDLING)
        .values(status=BEHANDLET, processed_at=when.isoformat())
    )
    if claimed.rowcount != 1:
        return
    bundt = read_bundt(bundle.request)
    rows = conn.execute(
        sa.select(t_table)
        .where(t_table.c.bundt_row == bundle.id, t_table.c.status == UNDER_BEHANDLING)
        .order_by(t_table.c.position)
    ).all()
    modregning = bool(opsaetning.nemkonto_settings(settings)["modregning"])
    for row in rows:
        _pay(conn, tenant, bundle, bundt, bundt.transaktioner[row.position], row, when, modregning=modregning)


def _pay(
    conn: Connection,
    tenant: Tenant,
    bundle: Any,
    bundt: Bundt,
    t: Transaktion,
    row: Any,
    when: datetime,
    *,
    modregning: bool,
) -> None:
    registered = opsaetning.nemkonto_of(conn, tenant, t.modtager_type, t.modtager)
    where = tables.transaktioner.c.id == row.id
    findings = udbetalingskontrol.run(t, Udbetalingskontekst(nemkonto=registered))
    if findings:
        conn.execute(
            sa.update(tables.transaktioner).where(where).values(status=AFVIST, fejl=describe_all(findings))
        )
        return
    konto, kilde = _payout_account(t, registered)
    modregnet, daekninger = 0, None
    if t.betalingsart == YDELSE and modregning:
        result = modregn(
            conn,
            tenant,
            skyldner=t.modtager,
            beloeb_oere=t.oere,
            now=when,
            reference=f"NKS:{row.reference_key}",
        )
        modregnet, daekninger = int(result["modregnet_oere"]), result["daekninger"]
    udbetalt = t.oere - modregnet
    conn.execute(
        sa.update(tables.transaktioner)
        .where(where)
        .values(
            status=GODKENDT,
            konto=konto,
            kontokilde=kilde,
            modregnet_oere=modregnet,
            udbetalt_oere=udbetalt,
            modregning=daekninger,
        )
    )
    if udbetalt > 0:
        _book_udbetaling(conn, tenant, bundle, bundt, row, udbetalt, konto, when)


def _payout_account(t: Transaktion, registered: Any) -> tuple[Any, str]:
    """The account paid into and where it came from: the request's own (KOMPLET) or the NemKonto."""
    if t.betalingsform == KOMPLET and t.konto is not None:
        return t.konto, ANMODNING
    assert registered is not None  # nemkonto_findes refused it otherwise
    return {k: registered[k] for k in ("Registreringsnummer", "Kontonummer")}, NEMKONTO


def _book_udbetaling(
    conn: Connection,
    tenant: Tenant,
    bundle: Any,
    bundt: Bundt,
    row: Any,
    udbetalt: int,
    konto: Any,
    when: datetime,
) -> None:
    """Record the payout of `udbetalt` øre to `konto`, dated no earlier than the bundt's betalingsdato."""
    conn.execute(
        sa.insert(tables.udbetalinger).values(
            tenant=tenant.key,
            transaktion_row=row.id,
            reference=f"{bundle.nks_bundtnummer}/{row.reference_key}",
            beloeb_oere=udbetalt,
            konto=konto,
            betalingsdato=max(bundt.betalingsdato, danish_date(when)).isoformat(),
            udbetalt_at=iso(when),
        )
    )
