"""PSRM's intake: a leverance of actions is answered MODTAGET/AFVIST at once, then processed in a batch.

Processing runs on the simulated clock: an action is due `behandlingstid_sekunder` after receipt and is
processed the first time anything is asked of the tenant once the clock has passed that moment. Each action
code is a pure handler (`simulators/psrm/actions.py`); this module reads state for it and applies its effects.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from testkommune.contracts.clock import danish_date, iso
from testkommune.contracts.findings import Finding, describe_all, join_path
from testkommune.contracts.fordringstyper import fordringstyper
from testkommune.contracts.money import to_oere
from testkommune.simulators.context import OpContext
from testkommune.simulators.prepared import Prepared
from testkommune.simulators.psrm import actions, tables, underretninger
from testkommune.simulators.psrm.handlers import HANDLERS
from testkommune.simulators.psrm.state import (
    PENDING,
    TILBAGEKALDT,
    UNDER_INDDRIVELSE,
    Book,
    Change,
    Describe,
    Effect,
    PsrmView,
    Recall,
    SetPrincipal,
    record_event,
)
from testkommune.simulators.rules.fordring import Agreement
from testkommune.simulators.tenancy import Tenant

_actions, _claims = tables.actions, tables.claims
# Built once per process: the hot path only binds values.
_ADD_ACTION = sa.insert(_actions)
_ACTION_KEYS = (
    "tenant",
    "aktion_id",
    "leverance_id",
    "kode",
    "position",
    "status",
    "claimant_ref",
    "received_at",
    "due_at",
    "target_id",
    "request",
    "errors",
)
_ADD_ACTION_ONCE = {
    name: Prepared(
        insert(_actions)
        .on_conflict_do_nothing(index_elements=["tenant", "aktion_id"])
        .returning(_actions.c.aktion_id),  # a row when inserted, none on conflict (rowcount is not reliable)
        _ACTION_KEYS,
    )
    for name, insert in (("sqlite", sqlite_insert), ("postgresql", postgresql_insert))
}
_ACTION_TAKEN = sa.select(_actions.c.aktion_id).where(
    _actions.c.tenant == sa.bindparam("k_tenant"), _actions.c.aktion_id == sa.bindparam("k_id")
)
_CLAIM_KEYS = (
    "tenant",
    "hovedfordring_id",
    "kompleks_id",
    "original_id",
    "kind",
    "art",
    "aktion_id",
    "claimant_ref",
    "fordringstype",
    "status",
    "recall_reason",
    "statsrefusion",
    "hovedstol_oere",
    "saldo_oere",
    "received_at",
    "data",
)
_BOOK_CLAIM = Prepared(sa.insert(_claims).returning(_claims.c.id), _CLAIM_KEYS)
_DUE = (
    sa.select(_actions)
    .where(
        _actions.c.tenant == sa.bindparam("k_tenant"),
        _actions.c.status.in_(("MODTAGET", "AFVENTER_RIM")),
        _actions.c.due_at <= sa.bindparam("k_now"),
    )
    .order_by(_actions.c.due_at, _actions.c.received_at, _actions.c.position)
)


@cache
def _update_statement(table: sa.Table, columns: frozenset[str]) -> sa.Update:
    """UPDATE one row of `table` (by tenant and key) setting `columns`: one statement per column set."""
    key = table.c.aktion_id if table is _actions else table.c.id
    return (
        sa.update(table)
        .where(table.c.tenant == sa.bindparam("k_tenant"), key == sa.bindparam("k_key"))
        .values({c: sa.bindparam(c) for c in columns})
    )


@cache
def _kommunale_typer() -> frozenset[str]:
    """By default a kommune's agreement allows every active municipal fordringstype."""
    return frozenset(t.kode for t in fordringstyper().kommunale())


def agreement(settings: dict[str, Any]) -> Agreement:
    """The claimant's agreement (fordringshaveraftale) from the tenant's settings."""
    psrm = settings["psrm"]
    allowed = psrm.get("tilladte_fordringstyper")
    actions_allowed = psrm.get("tilladte_aktioner")
    minimum = psrm.get("minimumsbeloeb")
    return Agreement(
        fordringshaver_id=psrm["fordringshaver_id"],
        allowed_types=frozenset(allowed) if allowed is not None else _kommunale_typer(),
        s2s=psrm.get("s2s", True),
        minimum_oere=to_oere(minimum) if minimum is not None else None,
        allowed_actions=frozenset(actions_allowed) if actions_allowed is not None else None,
        allowed_arts=frozenset(psrm.get("tilladte_arter", ["INDR", "MODR"])),
        allowed_reasons=frozenset(psrm["tilladte_aarsagskoder"])
        if psrm.get("tilladte_aarsagskoder")
        else None,
    )


def indberet(ctx: OpContext, message: dict[str, Any]) -> dict[str, Any]:
    """MFFordringIndberet: take each action for processing (MODTAGET) or refuse it at once (AFVIST)."""
    delay = timedelta(seconds=ctx.settings["psrm"].get("behandlingstid_sekunder", 0))
    leverance = message["MFLeveranceID"]
    statuses = []
    for i, action in enumerate(message["FordringAktionSamling"]["FordringAktion"]):
        base = join_path("$", "FordringAktionSamling", "FordringAktion", i)
        statuses.append(_receive(ctx, leverance, action, base, i, delay))
    return {
        "Kontekst": {
            "HovedOplysningerSvar": {
                "TransaktionsID": message["Kontekst"]["HovedOplysninger"]["TransaktionsID"],
                "ServiceID": "MFFordringIndberet",
                "TransaktionsTid": iso(ctx.now),
                "SvarReaktion": "OK",
            }
        },
        "FordringInfo": {
            "FordringhaverSystemIDStruktur": message["FordringhaverSystemIDStruktur"],
            "MFLeveranceID": leverance,
            "FordringAktionStatusSamling": {"MFAktionStruktur": statuses},
        },
    }


def _claimant_ref(action: dict[str, Any]) -> str | None:
    _, struct = actions.structure(action)
    main = struct.get("MFOpretFordringStruktur", struct)
    return main.get("DMIFordringFordringHaverRef") if isinstance(main, dict) else None


def _receive(
    ctx: OpContext, leverance: str, action: dict[str, Any], base: str, position: int, delay: timedelta
) -> dict[str, Any]:
    aktion_id = action["MFAktionID"]
    reply = {
        "DMIFordringEFIFordringID": None,
        "DMIFordringEFIHovedFordringID": None,
        "DMIFordringFordringHaverRef": _claimant_ref(action),
        "MFAktionID": aktion_id,
        "MFAktionKode": action["MFAktionKode"],
        "DMIFordringHaverID": action["DMIFordringHaverID"],
        "MFAktionStatusÆndretDato": iso(ctx.now),
    }
    refused = _sync_findings(ctx, action, base)
    if refused:
        if PsrmView(ctx.conn, ctx.tenant).action(aktion_id) is not None:
            refused = [Finding("PSRM-600", join_path(base, "MFAktionID"), {"value": aktion_id}), *refused]
        return reply | {"MFAktionStatusKode": "AFVIST", "AfvistÅrsagSamling": describe_all(refused)}
    values = {
        "tenant": ctx.tenant.key,
        "aktion_id": aktion_id,
        "leverance_id": leverance,
        "kode": action["MFAktionKode"],
        "position": position,
        "status": "MODTAGET",
        "claimant_ref": reply["DMIFordringFordringHaverRef"],
        "received_at": ctx.now.isoformat(),
        "due_at": (ctx.now + delay).isoformat(),
        "target_id": actions.target_id(action),
        "request": action,
        "errors": [],
    }
    if not _insert_action(ctx.conn, values):  # the id is taken (before, or by another worker just now)
        taken = Finding("PSRM-600", join_path(base, "MFAktionID"), {"value": aktion_id})
        return reply | {"MFAktionStatusKode": "AFVIST", "AfvistÅrsagSamling": describe_all([taken])}
    return reply | {"MFAktionStatusKode": "MODTAGET", "DMIFordringModtagelseDato": iso(ctx.now)}


def _insert_action(conn: Connection, values: dict[str, Any]) -> bool:
    """Insert a received action unless its id is taken: one statement is both the 600 check and the insert.

    ON CONFLICT DO NOTHING also covers a concurrent insert of the same id by another worker (PostgreSQL waits
    for it to commit, then does nothing), so no SAVEPOINT and no separate look-up are paid.
    """
    statement = _ADD_ACTION_ONCE.get(conn.dialect.name)
    if statement is None:  # another dialect: look up, then insert
        if conn.execute(_ACTION_TAKEN, {"k_tenant": values["tenant"], "k_id": values["aktion_id"]}).first():
            return False
        conn.execute(_ADD_ACTION, values)
        return True
    return statement.execute(conn, values).fetchone() is not None


def _sync_findings(ctx: OpContext, action: dict[str, Any], base: str) -> list[Finding]:
    """What PSRM refuses at once, but for a reused action id (600, see `_receive`): wrong claimant (2), no
    S2S (156), an action the agreement does not grant, a missing structure, another action still pending on
    the claim (418)."""
    view = PsrmView(ctx.conn, ctx.tenant)
    aftale = agreement(ctx.settings)
    spec = actions.action_specs()[action["MFAktionKode"]]
    found: list[Finding] = []
    if action["DMIFordringHaverID"] != aftale.fordringshaver_id:
        found.append(
            Finding("PSRM-2", join_path(base, "DMIFordringHaverID"), {"value": action["DMIFordringHaverID"]})
        )
    if not aftale.s2s:
        found.append(Finding("PSRM-156", base, {"value": aftale.fordringshaver_id}))
    if spec.tilladelse and not aftale.allows_action(spec.kode):
        found.append(Finding(spec.tilladelse, join_path(base, "MFAktionKode"), {"value": spec.kode}))
    reason = actions.reason_code(action)
    if reason and spec.tilladelse and not aftale.allows_reason(reason):
        found.append(
            Finding(spec.tilladelse, join_path(base, "AktionValg", spec.struktur), {"value": reason})
        )
    if spec.struktur not in action["AktionValg"]:
        found.append(Finding(spec.mangler, join_path(base, "AktionValg"), {"value": spec.struktur}))
        return found
    claim_id = actions.target_id(action)
    if claim_id is not None:
        pending = view.pending_on(claim_id, other_than=action["MFAktionID"])
        if pending:
            found.append(Finding("PSRM-418", join_path(base, "MFAktionID"), {"value": pending}))
    return found


def process_due(conn: Connection, tenant: Tenant, settings: dict[str, Any], now: datetime) -> int:
    """Run PSRM's batch for every action due by `now`, oldest first. Returns how many were processed."""
    due = conn.execute(_DUE, {"k_tenant": tenant.key, "k_now": now.isoformat()}).all()
    for row in due:
        if row.status == "AFVENTER_RIM":
            _decide_hearing(conn, tenant, settings, row)
        else:
            _process(conn, tenant, settings, row)
    return len(due)


def _process(conn: Connection, tenant: Tenant, settings: dict[str, Any], row: Any) -> None:
    received = datetime.fromisoformat(row.received_at)
    view = PsrmView(conn, tenant)
    ctx = actions.ActionContext(
        received=received, types=fordringstyper(), agreement=agreement(settings), view=view
    )
    base = join_path("$", "FordringAktionSamling", "FordringAktion", row.position)
    verdict = HANDLERS[row.kode](row.request, base, ctx)
    values: dict[str, Any] = {"processed_at": row.due_at}
    if verdict.errors:
        values |= {"status": "AFVIST", "errors": describe_all(verdict.errors)}
    elif verdict.hearing:
        values |= {"status": "HOERING", "hearing": {"aarsager": describe_all(verdict.hearing)}}
    else:
        values |= {"status": "UDFOERT", **_apply(conn, tenant, row, verdict.effects, received)}
    _update_action(conn, tenant, row.aktion_id, values)


def _update_action(conn: Connection, tenant: Tenant, aktion_id: str, values: dict[str, Any]) -> None:
    statement = _prepared_update(_actions, frozenset(values))
    statement.execute(conn, values | {"k_tenant": tenant.key, "k_key": aktion_id})


@cache
def _prepared_update(table: sa.Table, columns: frozenset[str]) -> Prepared:
    return Prepared(_update_statement(table, columns))


def _apply(
    conn: Connection, tenant: Tenant, row: Any, effects: list[Effect], received: datetime
) -> dict[str, Any]:
    """Apply an accepted action's effects; returns the ids its receipt names."""
    main_id: int | None = None
    first_id: int | None = None
    booked_main: dict[int, int] = {}  # claim booked here -> its hovedfordring_id or kompleks_id or itself
    for effect in effects:
        if isinstance(effect, Book):
            parent = main_id if effect.parent == "main" else effect.parent
            booked = _book(conn, tenant, row, effect, parent, received)  # type: ignore[arg-type]
            booked_main[booked] = parent or effect.kompleks_id or booked  # type: ignore[assignment]
            first_id = first_id or booked
            if effect.kind == "HF":
                main_id = booked
        elif isinstance(effect, Change):
            _change(conn, tenant, row, effect, received)
            first_id = first_id or effect.claim_id
        elif isinstance(effect, SetPrincipal):
            _set_claim(conn, tenant, effect.claim_id, hovedstol_oere=effect.hovedstol)
            record_event(
                conn,
                tenant,
                effect.claim_id,
                row.aktion_id,
                "HOVEDSTOL_RETTET",
                0,
                danish_date(received),
                received,
                {"hovedstol": effect.hovedstol},
            )
            first_id = first_id or effect.claim_id
        elif isinstance(effect, Recall):
            for claim_id in effect.claim_ids:
                saldo = PsrmView(conn, tenant).claim(claim_id).saldo  # type: ignore[union-attr]
                _set_claim(conn, tenant, claim_id, status=TILBAGEKALDT, recall_reason=effect.reason)
                record_event(
                    conn,
                    tenant,
                    claim_id,
                    row.aktion_id,
                    f"TILBAGEKALD_{effect.reason}",
                    -saldo,
                    effect.virkningsdato,
                    received,
                    {"aarsag": effect.reason},
                )
            first_id = first_id or effect.claim_ids[0]
        elif isinstance(effect, Describe):
            first_id = first_id or effect.claim_id
    if first_id in booked_main:  # booked just now: its ids are known without reading it back
        main: int | None = booked_main[first_id]
    else:
        claim = PsrmView(conn, tenant).claim(first_id) if first_id else None
        main = claim.hovedfordring_id or claim.kompleks_id or claim.id if claim else None
    return {
        "fordring_id": str(first_id) if first_id else None,
        "hovedfordring_id": str(main) if main else None,
    }


def _book(
    conn: Connection, tenant: Tenant, row: Any, effect: Book, parent: int | None, received: datetime
) -> int:
    claim = effect.stamdata
    cursor = _BOOK_CLAIM.execute(
        conn,
        {
            "tenant": tenant.key,
            "hovedfordring_id": parent,
            "kompleks_id": effect.kompleks_id,
            "original_id": effect.original_id,
            "kind": effect.kind,
            "art": effect.art,
            "aktion_id": row.aktion_id,
            "claimant_ref": claim.reference,
            "fordringstype": claim.fordringstype,
            "status": UNDER_INDDRIVELSE,
            "recall_reason": None,
            "statsrefusion": effect.statsrefusion,
            "hovedstol_oere": claim.hovedstol or 0,
            "saldo_oere": claim.saldo or 0,
            "received_at": received.isoformat(),
            "data": {"stamdata": effect.snapshot, "foraeldelse": limitation(claim, danish_date(received))},
        },
    )
    claim_id = int(cursor.fetchone()[0])
    if effect.original_id is not None:
        _set_claim(conn, tenant, effect.original_id, genindsendt_som=claim_id)
    kind = "OPSKRIVNING" if effect.kind == "OPSKRIVNING" else "TILGANG"
    record_event(
        conn,
        tenant,
        claim_id,
        row.aktion_id,
        kind,
        claim.saldo or 0,
        danish_date(received),
        received,
        {"hovedstol": claim.hovedstol, "kind": effect.kind},
    )
    return claim_id


def limitation(claim: Any, received: date) -> dict[str, Any]:
    """The complex's limitation date at receipt: not earlier than 3 years after receipt (GIL § 18 a stk. 7),
    except that municipal civil-law claims keep their own period (psrm.md §9)."""
    submitted = max((d.foraeldelsesdato for d in claim.debtors if d.foraeldelsesdato), default=None)
    known = fordringstyper().get(claim.fordringstype)
    civil = known is not None and known.forretningsomraade == "civilretlige"
    floor = received + relativedelta(years=3)
    if civil:
        return {"dato": submitted.isoformat() if submitted else None, "regel": "civilretlig: egen frist"}
    chosen = max(d for d in (submitted, floor) if d is not None)
    return {"dato": chosen.isoformat(), "regel": "GIL § 18 a stk. 7: mindst 3 år efter modtagelse"}


def _change(conn: Connection, tenant: Tenant, row: Any, effect: Change, received: datetime) -> None:
    table = tables.claims
    conn.execute(
        sa.update(table)
        .where(table.c.tenant == tenant.key, table.c.id == effect.claim_id)
        .values(saldo_oere=table.c.saldo_oere + effect.delta)
    )
    record_event(
        conn,
        tenant,
        effect.claim_id,
        row.aktion_id,
        effect.kind,
        effect.delta,
        effect.virkningsdato,
        received,
        effect.data,
    )


def _set_claim(conn: Connection, tenant: Tenant, claim_id: int, **values: Any) -> None:
    table = tables.claims
    if "genindsendt_som" in values:
        row = conn.execute(sa.select(table.c.data).where(table.c.id == claim_id)).one()
        values = {"data": dict(row.data) | {"genindsendt_som": values.pop("genindsendt_som")}} | values
    conn.execute(
        _update_statement(table, frozenset(values)), values | {"k_tenant": tenant.key, "k_key": claim_id}
    )


# -- hearing (HØRING) ----------------------------------------------------------------------------------


def hoering_svar(ctx: OpContext, message: dict[str, Any]) -> Finding | dict[str, Any]:
    """The claimant approves a claim in hearing (with a justification) or withdraws it (psrm.md §5.4)."""
    row = PsrmView(ctx.conn, ctx.tenant).action(message["MFAktionID"])
    if row is None or row.status != "HOERING":
        return Finding("PSRM-HOERING-UKENDT", "$.MFAktionID", {"value": message["MFAktionID"]})
    hearing = dict(row.hearing or {}) | {
        "svar": message["HoeringSvarKode"],
        "begrundelse": message.get("Begrundelse"),
        "svaret": ctx.now.isoformat(),
    }
    if message["HoeringSvarKode"] == "TILBAGETRAEK":
        reason = Finding(
            "PSRM-HOERING-TILBAGETRUKKET", "$.Begrundelse", {"value": message.get("Begrundelse", "")}
        )
        _update_action(
            ctx.conn,
            ctx.tenant,
            row.aktion_id,
            {
                "status": "AFVIST",
                "errors": describe_all([reason]),
                "hearing": hearing,
                "processed_at": ctx.now.isoformat(),
            },
        )
    else:
        delay = timedelta(seconds=ctx.settings["psrm"].get("hoering_behandlingstid_sekunder", 0))
        _update_action(
            ctx.conn,
            ctx.tenant,
            row.aktion_id,
            {"status": "AFVENTER_RIM", "hearing": hearing, "due_at": (ctx.now + delay).isoformat()},
        )
    return receipt(PsrmView(ctx.conn, ctx.tenant).action(row.aktion_id))


def _decide_hearing(conn: Connection, tenant: Tenant, settings: dict[str, Any], row: Any) -> None:
    """Gældsstyrelsen's caseworker decides an approved hearing; the claim counts as received now (§5.4)."""
    decision = settings["psrm"].get("hoering_afgoerelse", "GODKEND")
    if decision != "GODKEND":
        reason = Finding("PSRM-HOERING-AFVIST", "$", {"value": decision})
        _update_action(
            conn,
            tenant,
            row.aktion_id,
            {"status": "AFVIST", "errors": describe_all([reason]), "processed_at": row.due_at},
        )
        return
    confirmed = datetime.fromisoformat(row.due_at)
    view = PsrmView(conn, tenant)
    ctx = actions.ActionContext(
        received=confirmed, types=fordringstyper(), agreement=agreement(settings), view=view
    )
    base = join_path("$", "FordringAktionSamling", "FordringAktion", row.position)
    verdict = HANDLERS[row.kode](row.request, base, ctx)
    values: dict[str, Any] = {"processed_at": row.due_at, "received_at": row.due_at}
    if verdict.errors:
        values |= {"status": "AFVIST", "errors": describe_all(verdict.errors)}
    else:
        values |= {"status": "UDFOERT", **_apply(conn, tenant, row, verdict.effects, confirmed)}
    _update_action(conn, tenant, row.aktion_id, values)


# -- receipts ------------------------------------------------------------------------------------------


def receipt(row: Any) -> dict[str, Any]:
    """One MFAktionStruktur as MFKvitteringHent gives it."""
    status = "HOERING" if row.status == "AFVENTER_RIM" else row.status
    out = {
        "DMIFordringEFIFordringID": row.fordring_id,
        "DMIFordringEFIHovedFordringID": row.hovedfordring_id,
        "DMIFordringFordringHaverRef": row.claimant_ref,
        "MFAktionID": row.aktion_id,
        "MFAktionKode": row.kode,
        "DMIFordringHaverID": row.request.get("DMIFordringHaverID"),
        "MFAktionStatusKode": status,
        "MFAktionStatusÆndretDato": iso(datetime.fromisoformat(row.processed_at or row.received_at)),
        "DMIFordringModtagelseDato": iso(datetime.fromisoformat(row.received_at)),
    }
    if row.errors:
        out["AfvistÅrsagSamling"] = row.errors
    if row.hearing:
        out["HoeringÅrsagSamling"] = row.hearing.get("aarsager", [])
        if row.status == "AFVENTER_RIM":
            out["HoeringStatus"] = "AFVENTER_RIM"
        elif row.status == "HOERING":
            out["HoeringStatus"] = "AFVENTER_FORDRINGSHAVER"
    return out


def kvittering_hent(ctx: OpContext, leverance_id: str) -> dict[str, Any] | None:
    """MFKvitteringHent: the receipts of every action in a leverance, or None if it is unknown."""
    table = tables.actions
    rows = ctx.conn.execute(
        sa.select(table)
        .where(table.c.tenant == ctx.tenant.key, table.c.leverance_id == leverance_id)
        .order_by(table.c.received_at, table.c.position)
    ).all()
    if not rows:
        return None
    return {
        "MFLeveranceID": leverance_id,
        "FordringAktionStatusSamling": {"MFAktionStruktur": [receipt(r) for r in rows]},
    }


def underretninger_hent(ctx: OpContext, message: dict[str, Any]) -> Finding | dict[str, Any]:
    """MFUnderretSamlingHent: the notifications dated in the interval (end = start means open)."""
    interval = message["DatoInterval"]
    start, end = date.fromisoformat(interval["StartDato"]), date.fromisoformat(interval["SlutDato"])
    oldest = underretninger.oldest_allowed(ctx.today)
    if start < oldest:
        return Finding(
            "PSRM-UNDERRETNING-3-MDR",
            "$.DatoInterval.StartDato",
            {"value": start.isoformat(), "oldest": oldest.isoformat()},
        )
    if end < start:
        return Finding(
            "PSRM-UNDERRETNING-INTERVAL",
            "$.DatoInterval.SlutDato",
            {"value": end.isoformat(), "start": start.isoformat()},
        )
    last = ctx.today if end == start else end
    kinds = set(message.get("UnderretningTypeKode") or ())
    notes = [
        n
        for n in underretninger.build(ctx.conn, ctx.tenant, ctx.settings, ctx.today)
        if start.isoformat() <= n["UnderretningDato"] <= last.isoformat()
        and (not kinds or n["UnderretningTypeKode"] in kinds)
    ]
    return {"DatoInterval": interval, "UnderretningSamling": {"Underretning": notes}}


def action(conn: Connection, tenant: Tenant, aktion_id: str) -> Any:
    return PsrmView(conn, tenant).action(aktion_id)


__all__ = [
    "PENDING",
    "agreement",
    "hoering_svar",
    "indberet",
    "kvittering_hent",
    "process_due",
    "receipt",
    "underretninger_hent",
]
