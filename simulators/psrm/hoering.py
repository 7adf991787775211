"""Hearing (HØRING): the claimant approves or withdraws a claim sent to hearing (psrm.md §5.4)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection
from testkommune.contracts.findings import Finding, describe_all, join_path
from testkommune.contracts.fordringstyper import fordringstyper
from testkommune.simulators.context import OpContext
from testkommune.simulators.psrm import actions
from testkommune.simulators.psrm.aftale import agreement
from testkommune.simulators.psrm.effekter import apply_effects, update_action
from testkommune.simulators.psrm.handlers import HANDLERS
from testkommune.simulators.psrm.kvittering import receipt
from testkommune.simulators.psrm.state import PsrmView
from testkommune.simulators.tenancy import Tenant


def hoering_svar(ctx: OpContext, message: dict[str, Any]) -> Finding | dict[str, Any]:
    """The claimant approves a claim in hearing (with a justification) or withdraws it (psrm.md §5.4)."""
    row = PsrmView(ctx.conn, ctx.tenant).action(message["MFAktionID"])
    if row is None or row.status != "HOERING":
        return Finding("PSRM-HOERING-UKENDT", "$.MFAktionID", {"value": message["MFAktionID"]})
    if message["HoeringSvarKode"] == "GODKEND" and not (message.get("Begrundelse") or "").strip():
        return Finding("PSRM-HOERING-BEGRUNDELSE", "$.Begrundelse", {"value": message["MFAktionID"]})
    hearing = dict(row.hearing or {}) | {
        "svar": message["HoeringSvarKode"],
        "begrundelse": message.get("Begrundelse"),
        "svaret": ctx.now.isoformat(),
    }
    if message["HoeringSvarKode"] == "TILBAGETRAEK":
        reason = Finding(
            "PSRM-HOERING-TILBAGETRUKKET", "$.Begrundelse", {"value": message.get("Begrundelse", "")}
        )
        update_action(
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
        update_action(
            ctx.conn,
            ctx.tenant,
            row.aktion_id,
            {"status": "AFVENTER_RIM", "hearing": hearing, "due_at": (ctx.now + delay).isoformat()},
        )
    return receipt(PsrmView(ctx.conn, ctx.tenant).action(row.aktion_id))


def decide_hearing(conn: Connection, tenant: Tenant, settings: dict[str, Any], row: Any) -> None:
    """Gældsstyrelsen's caseworker decides an approved hearing; the claim counts as received now (§5.4)."""
    decision = settings["psrm"].get("hoering_afgoerelse", "GODKEND")
    if decision != "GODKEND":
        reason = Finding("PSRM-HOERING-AFVIST", "$", {"value": decision})
        update_action(
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
        values |= {
            "status": "UDFOERT",
            **apply_effects(conn, tenant, row, verdict.effects, confirmed, settings),
        }
    update_action(conn, tenant, row.aktion_id, values)
