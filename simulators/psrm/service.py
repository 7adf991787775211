"""PSRM's intake: a leverance of actions is answered MODTAGET/AFVIST at once, then processed in a batch.

Processing runs on the simulated clock: an action is due `behandlingstid_sekunder` after receipt and is
processed the first time anything is asked of the tenant once the clock has passed that moment.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from harness.core.clock import danish_date, iso
from harness.core.findings import Finding, describe_all, errors_only, join_path
from harness.core.fordringstyper import fordringstyper
from harness.core.money import to_oere
from simulators import store
from simulators.context import OpContext
from simulators.psrm.binding import claims_of_action
from simulators.rules.fordring import Agreement, ClaimContext, psrm_filter
from simulators.tenancy import Tenant

ACTIVE = ("UDFOERT", "HOERING")


@cache
def _kommunale_typer() -> frozenset[str]:
    """By default a kommune's agreement allows every active municipal fordringstype."""
    return frozenset(t.kode for t in fordringstyper().kommunale())


def agreement(settings: dict[str, Any]) -> Agreement:
    psrm = settings["psrm"]
    allowed = psrm.get("tilladte_fordringstyper")
    minimum = psrm.get("minimumsbeloeb")
    return Agreement(
        fordringshaver_id=psrm["fordringshaver_id"],
        allowed_types=frozenset(allowed) if allowed is not None else _kommunale_typer(),
        minimum_oere=to_oere(minimum) if minimum is not None else None,
    )


def indberet(ctx: OpContext, message: dict[str, Any]) -> dict[str, Any]:
    """MFFordringIndberet: take each action for processing (MODTAGET) or refuse it at once (AFVIST)."""
    delay = timedelta(seconds=ctx.settings["psrm"].get("behandlingstid_sekunder", 0))
    leverance = message["MFLeveranceID"]
    statuses = []
    for i, action in enumerate(message["FordringAktionSamling"]["FordringAktion"]):
        base = join_path("$", "FordringAktionSamling", "FordringAktion", i)
        statuses.append(_receive(ctx, leverance, action, base, delay))
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


def _receive(
    ctx: OpContext, leverance: str, action: dict[str, Any], base: str, delay: timedelta
) -> dict[str, Any]:
    aktion_id = action["MFAktionID"]
    main = action["AktionValg"]["OpretFordringAktion"]["MFOpretFordringStruktur"]
    reply = {
        "DMIFordringEFIFordringID": None,
        "DMIFordringEFIHovedFordringID": None,
        "DMIFordringFordringHaverRef": main.get("DMIFordringFordringHaverRef"),
        "MFAktionID": aktion_id,
        "MFAktionKode": action["MFAktionKode"],
        "DMIFordringHaverID": action["DMIFordringHaverID"],
        "MFAktionStatusÆndretDato": iso(ctx.now),
    }
    refused = _sync_findings(ctx, action, base)
    if refused:
        return reply | {"MFAktionStatusKode": "AFVIST", "AfvistÅrsagSamling": describe_all(refused)}
    ctx.conn.execute(
        sa.insert(store.psrm_actions).values(
            tenant=ctx.tenant.key,
            aktion_id=aktion_id,
            leverance_id=leverance,
            kode=action["MFAktionKode"],
            position=int(base.rsplit("[", 1)[1].rstrip("]")),
            status="MODTAGET",
            claimant_ref=main.get("DMIFordringFordringHaverRef"),
            received_at=ctx.now.isoformat(),
            due_at=(ctx.now + delay).isoformat(),
            request=action,
            errors=[],
        )
    )
    return reply | {"MFAktionStatusKode": "MODTAGET", "DMIFordringModtagelseDato": iso(ctx.now)}


def _sync_findings(ctx: OpContext, action: dict[str, Any], base: str) -> list[Finding]:
    """What PSRM refuses synchronously: a reused action id (600), a claimant id not ours (2)."""
    found: list[Finding] = []
    exists = ctx.conn.execute(
        sa.select(sa.literal(1)).where(
            store.psrm_actions.c.tenant == ctx.tenant.key,
            store.psrm_actions.c.aktion_id == action["MFAktionID"],
        )
    ).first()
    if exists:
        found.append(Finding("PSRM-600", join_path(base, "MFAktionID"), {"value": action["MFAktionID"]}))
    if action["DMIFordringHaverID"] != ctx.settings["psrm"]["fordringshaver_id"]:
        found.append(
            Finding("PSRM-2", join_path(base, "DMIFordringHaverID"), {"value": action["DMIFordringHaverID"]})
        )
    return found


def process_due(conn: Connection, tenant: Tenant, settings: dict[str, Any], now: datetime) -> int:
    """Run PSRM's batch for every action due by `now`, oldest first. Returns how many were processed."""
    due = conn.execute(
        sa.select(store.psrm_actions)
        .where(
            store.psrm_actions.c.tenant == tenant.key,
            store.psrm_actions.c.status == "MODTAGET",
            store.psrm_actions.c.due_at <= now.isoformat(),
        )
        .order_by(store.psrm_actions.c.due_at, store.psrm_actions.c.received_at)
    ).all()
    for row in due:
        _process(conn, tenant, settings, row)
    return len(due)


def _process(conn: Connection, tenant: Tenant, settings: dict[str, Any], row: Any) -> None:
    received = datetime.fromisoformat(row.received_at)
    ctx = ClaimContext(
        today=danish_date(received),
        types=fordringstyper(),
        agreement=agreement(settings),
        claimant_ref_taken=lambda ref: _claimant_ref_taken(conn, tenant, ref),
    )
    claims = claims_of_action(
        row.request, join_path("$", "FordringAktionSamling", "FordringAktion", row.position)
    )
    findings = [f for claim in claims for f in psrm_filter.run(claim, ctx)]
    errors = errors_only(findings)
    values: dict[str, Any] = {"processed_at": row.due_at}
    if errors:
        values |= {"status": "AFVIST", "errors": describe_all(errors)}
    else:
        main_id = _book(conn, tenant, row, claims[0], None, received)
        for related in claims[1:]:
            _book(conn, tenant, row, related, main_id, received)
        values |= {"status": "UDFOERT", "fordring_id": str(main_id), "hovedfordring_id": str(main_id)}
    conn.execute(
        sa.update(store.psrm_actions)
        .where(store.psrm_actions.c.tenant == tenant.key, store.psrm_actions.c.aktion_id == row.aktion_id)
        .values(**values)
    )


def _book(
    conn: Connection, tenant: Tenant, row: Any, claim: Any, main_id: int | None, received: datetime
) -> int:
    result = conn.execute(
        sa.insert(store.psrm_claims).values(
            tenant=tenant.key,
            hovedfordring_id=main_id,
            aktion_id=row.aktion_id,
            claimant_ref=claim.reference,
            fordringstype=claim.fordringstype,
            status="UNDER_INDDRIVELSE",
            hovedstol_oere=claim.hovedstol or 0,
            saldo_oere=claim.saldo or 0,
            received_at=received.isoformat(),
            data={"stamdata_path": claim.paths.get("reference")},
        )
    )
    return int(result.inserted_primary_key[0])


def _claimant_ref_taken(conn: Connection, tenant: Tenant, ref: str) -> bool:
    return (
        conn.execute(
            sa.select(sa.literal(1)).where(
                store.psrm_claims.c.tenant == tenant.key, store.psrm_claims.c.claimant_ref == ref
            )
        ).first()
        is not None
    )


def receipt(row: Any) -> dict[str, Any]:
    """One MFAktionStruktur as MFKvitteringHent gives it."""
    out = {
        "DMIFordringEFIFordringID": row.fordring_id,
        "DMIFordringEFIHovedFordringID": row.hovedfordring_id,
        "DMIFordringFordringHaverRef": row.claimant_ref,
        "MFAktionID": row.aktion_id,
        "MFAktionKode": row.kode,
        "DMIFordringHaverID": row.request.get("DMIFordringHaverID"),
        "MFAktionStatusKode": row.status,
        "MFAktionStatusÆndretDato": iso(datetime.fromisoformat(row.processed_at or row.received_at)),
        "DMIFordringModtagelseDato": iso(datetime.fromisoformat(row.received_at)),
    }
    if row.errors:
        out["AfvistÅrsagSamling"] = row.errors
    return out


def kvittering_hent(ctx: OpContext, leverance_id: str) -> dict[str, Any] | None:
    """MFKvitteringHent: the receipts of every action in a leverance, or None if it is unknown."""
    rows = ctx.conn.execute(
        sa.select(store.psrm_actions)
        .where(
            store.psrm_actions.c.tenant == ctx.tenant.key, store.psrm_actions.c.leverance_id == leverance_id
        )
        .order_by(store.psrm_actions.c.received_at, store.psrm_actions.c.aktion_id)
    ).all()
    if not rows:
        return None
    return {
        "MFLeveranceID": leverance_id,
        "FordringAktionStatusSamling": {"MFAktionStruktur": [receipt(r) for r in rows]},
    }


def action(conn: Connection, tenant: Tenant, aktion_id: str) -> Any:
    return conn.execute(
        sa.select(store.psrm_actions).where(
            store.psrm_actions.c.tenant == tenant.key, store.psrm_actions.c.aktion_id == aktion_id
        )
    ).first()
