"""PSRM's intake: a leverance of actions is answered MODTAGET/AFVIST at once, then processed in a batch.

Processing runs on the simulated clock: an action is due `behandlingstid_sekunder` after receipt and is
processed the first time anything is asked of the tenant once the clock has passed that moment. Each action
code is a pure handler (`simulators/psrm/actions.py`); this module reads state for it and applies its effects.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from testkommune.contracts.clock import iso
from testkommune.contracts.findings import Finding, describe_all, join_path
from testkommune.contracts.fordringstyper import fordringstyper
from testkommune.simulators.context import OpContext
from testkommune.simulators.prepared import Prepared
from testkommune.simulators.psrm import actions, hoering, oprettelser, tables, underretninger
from testkommune.simulators.psrm.aftale import agreement
from testkommune.simulators.psrm.effekter import apply_effects, update_action, verdict_values
from testkommune.simulators.psrm.handlers import HANDLERS
from testkommune.simulators.psrm.hoering import hoering_svar
from testkommune.simulators.psrm.kvittering import kvittering_hent, receipt
from testkommune.simulators.psrm.rules import Receipt, aktion_id_taken, receipt_findings
from testkommune.simulators.psrm.state import (
    PENDING,
    PsrmView,
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
_DUE = (
    sa.select(_actions)
    .where(
        _actions.c.tenant == sa.bindparam("k_tenant"),
        _actions.c.status.in_(("MODTAGET", "AFVENTER_RIM")),
        _actions.c.due_at <= sa.bindparam("k_now"),
    )
    .order_by(_actions.c.due_at, _actions.c.received_at, _actions.c.position)
)
STEP_ACTIONS = 100
"""Actions one bounded part of the batch processes (`process_step`): the 1,000 actions of one leverance, done
in one go, held the event loop about 0.3 s; a part of 100 takes tens of milliseconds."""
_DUE_STEP = _DUE.limit(STEP_ACTIONS + 1)


def indberet(ctx: OpContext, message: dict[str, Any]) -> dict[str, Any]:
    """MFFordringIndberet: take each action for processing (MODTAGET) or refuse it at once (AFVIST)."""
    delay = timedelta(seconds=ctx.settings["psrm"].get("behandlingstid_sekunder", 0))
    leverance = message["MFLeveranceID"]
    system_se = message["FordringhaverSystemIDStruktur"]["VirksomhedSENummer"]
    statuses = []
    for i, action in enumerate(message["FordringAktionSamling"]["FordringAktion"]):
        base = join_path("$", "FordringAktionSamling", "FordringAktion", i)
        statuses.append(_receive(ctx, leverance, action, base, i, delay, system_se))
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
    ctx: OpContext,
    leverance: str,
    action: dict[str, Any],
    base: str,
    position: int,
    delay: timedelta,
    system_se: str,
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
    view = PsrmView(ctx.conn, ctx.tenant)
    refused = receipt_findings(Receipt(action, base, system_se, agreement(ctx.settings), view))
    if refused:
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
        taken = aktion_id_taken(base, aktion_id)
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


def process_due(conn: Connection, tenant: Tenant, settings: dict[str, Any], now: datetime) -> int:
    """Run PSRM's batch for every action due by `now`, oldest first. Returns how many were processed."""
    due = conn.execute(_DUE, {"k_tenant": tenant.key, "k_now": now.isoformat()}).all()
    _process_rows(conn, tenant, settings, due)
    return len(due)


def process_step(conn: Connection, tenant: Tenant, settings: dict[str, Any], now: datetime) -> bool:
    """`process_due` for the oldest STEP_ACTIONS due actions; True when more are due."""
    due = conn.execute(_DUE_STEP, {"k_tenant": tenant.key, "k_now": now.isoformat()}).all()
    _process_rows(conn, tenant, settings, due[:STEP_ACTIONS])
    return len(due) > STEP_ACTIONS


SET_BASED = True
"""Runs of consecutive new claims are written set-based (`oprettelser`); False writes each action alone (the
path the equivalence test compares against)."""


def _process_rows(conn: Connection, tenant: Tenant, settings: dict[str, Any], due: Sequence[Any]) -> None:
    terms = agreement(settings)  # read once for the batch: the settings do not change within it
    if len(due) < 2 or not SET_BASED:  # the hot path's batch is one action: no run to gather
        for row in due:
            _process_alone(conn, tenant, settings, row, terms)
        return
    run = oprettelser.Run(conn, tenant)
    for row in due:
        if row.kode in oprettelser.KODER and row.status == "MODTAGET":
            run.add(row, _judge(row, terms, run.view))
            continue
        _flush(conn, tenant, settings, run)
        _process_alone(conn, tenant, settings, row, terms)
    _flush(conn, tenant, settings, run)


def _process_alone(
    conn: Connection, tenant: Tenant, settings: dict[str, Any], row: Any, terms: Agreement
) -> None:
    """Process one due action by itself: a hearing's decision, or the action judged and written."""
    if row.status == "AFVENTER_RIM":
        hoering.decide_hearing(conn, tenant, settings, row)
    else:
        _process(conn, tenant, settings, row, terms)


def _flush(conn: Connection, tenant: Tenant, settings: dict[str, Any], run: oprettelser.Run) -> None:
    """Write the pending run: one action as any other (cheaper alone), more set-based."""
    judged = run.take()
    if len(judged) == 1:
        _write(conn, tenant, settings, *judged[0])
    elif judged:
        oprettelser.write(conn, tenant, settings, judged)


def _process(conn: Connection, tenant: Tenant, settings: dict[str, Any], row: Any, terms: Agreement) -> None:
    _write(conn, tenant, settings, row, _judge(row, terms, PsrmView(conn, tenant)))


def _judge(row: Any, terms: Agreement, view: PsrmView) -> actions.Verdict:
    """The action's verdict, by its code's pure handler, against `view`."""
    received = datetime.fromisoformat(row.received_at)
    ctx = actions.ActionContext(received=received, types=fordringstyper(), agreement=terms, view=view)
    base = join_path("$", "FordringAktionSamling", "FordringAktion", row.position)
    return HANDLERS[row.kode](row.request, base, ctx)


def _write(
    conn: Connection, tenant: Tenant, settings: dict[str, Any], row: Any, verdict: actions.Verdict
) -> None:
    """Apply one judged action's effects (when accepted) and update its row."""
    values = verdict_values(row, verdict)
    if values["status"] == "UDFOERT":
        received = datetime.fromisoformat(row.received_at)
        values |= apply_effects(conn, tenant, row, verdict.effects, received, settings)
    update_action(conn, tenant, row.aktion_id, values)


def underretninger_hent(ctx: OpContext, message: dict[str, Any]) -> Finding | dict[str, Any]:
    """MFUnderretSamlingHent: the notifications dated in the interval (end = start means open)."""
    interval = message["DatoInterval"]
    start, end = date.fromisoformat(interval["StartDato"]), date.fromisoformat(interval["SlutDato"])
    oldest = underretninger.oldest_allowed(ctx.today)
    if start < oldest:
        return Finding(
            "PSRM-UNDERRETNING-3-MDR",
            "$.SøgeDatoFra" if "SøgeDatoFra" in message else "$.DatoInterval.StartDato",
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
