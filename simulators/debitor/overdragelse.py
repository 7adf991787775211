"""The debitor system's leg to PSRM: a claim handed over (OPRETFORDRING with its open fees and interest),
PSRM's receipts taken home, and PSRM's later news on claims under inddrivelse forwarded to the mailbox.

PSRM is reached through its facade only (`simulators.psrm.api`: submit, receipt, events_since).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from testkommune.contracts.clock import danish_date
from testkommune.contracts.money import wire
from testkommune.contracts.schemas import contract_set
from testkommune.simulators.context import OpContext
from testkommune.simulators.debitor import binding, konto, mailbox, tables
from testkommune.simulators.debitor.tables import (
    ANNULLERET,
    HOERING,
    OPKRAEVNING,
    OVERDRAGET,
    UNDER_INDDRIVELSE,
)
from testkommune.simulators.psrm import api as psrm
from testkommune.simulators.tenancy import Tenant

_claims = tables.claims.c

RELATED_TYPES = {"RYKKERGEBYR": "GERYKKE", "RENTE": "REOPKRÆ"}
"""The fordringstyper of the fees and interest the debitor system added, when handed over with the claim."""


def _related_reference(main: str, suffix: str) -> str:
    """A related claim's DMIFordringFordringHaverRef: the main claim's with a suffix, cut to PSRM's 50
    characters (a fagsystem's long FordringReference must not make the hand-over break PSRM's contract)."""
    longest = contract_set().raw["common/typer"]["$defs"]["Reference"]["maxLength"]
    return main[: longest - len(suffix)] + suffix


def _related_parts(ctx: OpContext, claim: Any) -> list[dict[str, Any]]:
    """The open fees and interest on the claim, as related claims — those the claimant's PSRM agreement
    allows (a type outside the agreement stays with the debitor system rather than sink the hand-over)."""
    agreement = psrm.agreement(ctx.settings)
    return [
        {
            "type": RELATED_TYPES[p.kind],
            "reference": _related_reference(claim.reference, f"-{p.kind[:3]}-{p.nr}"),
            "oere": p.saldo_oere,
            "forfald": p.forfald,
        }
        for p in konto.parts_of(ctx.conn, claim.id)
        if p.kind in RELATED_TYPES
        and p.saldo_oere > 0
        and agreement.allows(RELATED_TYPES[p.kind])
        and (p.srb is None or p.srb < ctx.today.isoformat())  # PSRM takes no claim before its SRB has passed
    ]


def hand_over(ctx: OpContext, claim: Any) -> dict[str, Any]:
    """Hand one claim under opkrævning to PSRM as OPRETFORDRING; it leaves opkrævning when PSRM takes it."""
    account = konto.account_of(ctx.conn, claim.account_id)
    attempt = 1 + len((claim.psrm or {}).get("historik", []))
    leverance_id = f"DEB-{claim.id:08d}-{attempt}"
    aktion_id = f"A-{ctx.tenant.kommune}-{claim.id:08d}-{attempt}"
    message = binding.psrm_message(
        claim,
        account,
        leverance_id=leverance_id,
        aktion_id=aktion_id,
        fordringshaver_id=ctx.settings["psrm"]["fordringshaver_id"],
        system_se=ctx.settings["debitor"]["system_se"],
        now=ctx.now,
        haeftere=konto.claim_liable(ctx.conn, claim.id),
        related=_related_parts(ctx, claim),
    )
    answer = psrm.submit(ctx, message)  # our mapping breaking PSRM's contract is a defect: AssertionError
    status = answer["FordringInfo"]["FordringAktionStatusSamling"]["MFAktionStruktur"][0]
    psrm_view = _psrm_view(claim, leverance_id, aktion_id, status)
    state = OVERDRAGET if status["MFAktionStatusKode"] == "MODTAGET" else OPKRAEVNING
    _update(ctx.conn, claim.id, state=state, psrm=psrm_view, now=ctx.now)
    if state == OVERDRAGET:
        _leave_opkraevning(ctx, account, claim)
    status_message(ctx.conn, ctx.tenant.key, claim, state, ctx.now, status["MFAktionStatusKode"], aktion_id)
    if state == OPKRAEVNING:
        return {
            "Status": "AFVIST",
            "Fejl": psrm_view["AfvistÅrsagSamling"],
            "FordringID": str(claim.id),
            "FordringTilstand": state,
            "MFLeveranceID": leverance_id,
        }
    return {
        "Status": "GODKENDT",
        "Fejl": [],
        "FordringID": str(claim.id),
        "FordringTilstand": state,
        "MFLeveranceID": leverance_id,
    }


def _psrm_view(claim: Any, leverance_id: str, aktion_id: str, status: dict[str, Any]) -> dict[str, Any]:
    """What the claim keeps of a hand-over: PSRM's status of the action, its refusals and the history."""
    history = [
        *(claim.psrm or {}).get("historik", []),
        {"MFLeveranceID": leverance_id, "MFAktionID": aktion_id},
    ]
    return {
        "MFLeveranceID": leverance_id,
        "MFAktionID": aktion_id,
        "MFAktionStatusKode": status["MFAktionStatusKode"],
        "DMIFordringEFIFordringID": None,
        "DMIFordringEFIHovedFordringID": None,
        "AfvistÅrsagSamling": status.get("AfvistÅrsagSamling", []),
        "historik": history,
    }


def _leave_opkraevning(ctx: OpContext, account: Any, claim: Any) -> None:
    """Close the claim's opkrævning as OVERDRAGET and write the debtor of the hand-over to Gældsstyrelsen."""
    konto.set_opkraevning(ctx.conn, claim.id, status="OVERDRAGET")
    konto.letter(
        ctx.conn,
        ctx.tenant.key,
        account_id=account.id,
        claim_id=claim.id,
        kind="UNDERRETNING_OVERDRAGELSE",
        recipient=account.debtor_id,
        dato=ctx.today,
        data={
            "FordringReference": claim.reference,
            "Beløb": wire(claim.saldo_oere),
            "Til": "Gældsstyrelsen",
        },
    )


_UPDATE_CLAIM = sa.update(tables.claims).where(_claims.id == sa.bindparam("k_id"))
_HANDED_OVER = sa.select(tables.claims).where(
    _claims.tenant == sa.bindparam("k_tenant"), _claims.state.in_((OVERDRAGET, HOERING))
)


def _update(conn: Connection, claim_id: int, *, state: str, psrm: dict[str, Any], now: Any) -> None:
    conn.execute(
        _UPDATE_CLAIM, {"k_id": claim_id, "state": state, "psrm": psrm, "updated_at": now.isoformat()}
    )


def sync_from_psrm(conn: Connection, tenant: Tenant, now: Any) -> None:
    """Pull PSRM's receipts for claims handed over (the debitor system polls MFKvitteringHent), then
    forward PSRM's later notifications on claims under inddrivelse to the fagsystem's mailbox."""
    pending = conn.execute(_HANDED_OVER, {"k_tenant": tenant.key}).all()
    for claim in pending:
        row = psrm.receipt(conn, tenant, claim.psrm["MFAktionID"])
        if (
            row is None
            or row.status == "MODTAGET"
            or (claim.state == HOERING and row.status in ("HOERING", "AFVENTER_RIM"))
        ):
            continue
        receipt = row.receipt
        view = dict(claim.psrm) | {
            "MFAktionStatusKode": receipt["MFAktionStatusKode"],
            "DMIFordringEFIFordringID": row.fordring_id,
            "DMIFordringEFIHovedFordringID": row.hovedfordring_id,
            "AfvistÅrsagSamling": row.errors,
        }
        state = {"UDFOERT": UNDER_INDDRIVELSE, "HOERING": HOERING, "AFVENTER_RIM": HOERING}.get(
            row.status, OPKRAEVNING
        )
        _update(conn, claim.id, state=state, psrm=view, now=now)
        status_message(conn, tenant.key, claim, state, now, receipt["MFAktionStatusKode"], row.aktion_id)
        if state == OPKRAEVNING:  # PSRM refused it: back with the debitor system, opkrævning stays stopped
            konto.set_opkraevning(conn, claim.id, status="STANDSET")
    forward_psrm_notifications(conn, tenant, now)


def status_message(
    conn: Connection, tenant_key: str, claim: Any, state: str, now: Any, psrm_status: str, aktion_id: str
) -> None:
    mailbox.post(
        conn,
        tenant_key,
        kind="STATUS",
        reference=claim.reference,
        amount_oere=0,
        dato=danish_date(now).isoformat(),
        now=now,
        claim_id=claim.id,
        data={"FordringTilstand": state, "MFAktionStatusKode": psrm_status, "MFAktionID": aktion_id},
        message_id=f"STATUS:{claim.id}:{aktion_id}:{psrm_status}",
    )


_PSRM_KINDS = {
    "DAEKNING": "DAEKNING",
    "RENTEDAEKNING": "DAEKNING",
    "AFSKRIVNING": "AFSKRIVNING",
    # a FEJL recall (tilbagekald.py): each dækning forwarded before is reversed, then the claim leaves
    "DAEKNING_TILBAGEFOERT": "DAEKNING_TILBAGEFOERT",
    "RENTEDAEKNING_TILBAGEFOERT": "DAEKNING_TILBAGEFOERT",
    "TILBAGEKALD_FEJL": "AFSKRIVNING",
}
_SALDO_SIGN = {"DAEKNING": -1, "AFSKRIVNING": -1, "TILBAGEKALD_FEJL": -1, "DAEKNING_TILBAGEFOERT": 1}
"""How a PSRM event on a main claim moves the debitor system's saldo of its hovedstol."""
_cursor = tables.cursors.c
_CURSOR = sa.select(_cursor.psrm_event_id).where(_cursor.tenant == sa.bindparam("k_tenant"))
_INSERT_CURSOR = sa.insert(tables.cursors)
_UPDATE_CURSOR = sa.update(tables.cursors).where(_cursor.tenant == sa.bindparam("k_tenant"))
_UNDER_INDDRIVELSE = sa.select(tables.claims).where(
    _claims.tenant == sa.bindparam("k_tenant"),
    _claims.reference == sa.bindparam("k_ref"),
    _claims.state.in_((UNDER_INDDRIVELSE, ANNULLERET)),  # ANNULLERET: PSRM's word on its FEJL recall
)


def forward_psrm_notifications(conn: Connection, tenant: Tenant, now: Any) -> None:
    """PSRM's later word on claims handed over (dækning, afskrivning, returnering) → the fagsystem's mailbox.

    Stands for the debitor system fetching PSRM's underretninger and forwarding them as
    DaekningAfskrivningRegistreringAfsend. A per-tenant cursor over PSRM's ledger makes each PSRM event
    forwarded once and keeps the check to one indexed query when nothing is new.
    """
    cursor = conn.execute(_CURSOR, {"k_tenant": tenant.key}).scalar()
    events = psrm.events_since(conn, tenant, cursor or 0)
    if not events:
        return
    for event in events:
        kind = "STATUS" if event.kind == "RETURNERING" else _PSRM_KINDS.get(event.kind)
        if kind is None:
            continue
        related = event.main_id is not None  # a rykkergebyr or rente handed over with its main claim
        reference = event.main_ref if related else event.claimant_ref
        psrm_id = str(event.main_id if related else event.fordring_id)
        claim = _handed_over_claim(conn, tenant, reference, psrm_id)
        if claim is None:  # a claim the fagsystem sent to PSRM itself, not through the debitor system
            continue
        amount = abs(event.amount_oere)
        sign = _SALDO_SIGN.get(event.kind)
        if sign is not None and not related:  # the claim's saldo is its hovedstol
            _move_saldo(conn, claim.id, sign, amount, now)
        mailbox.post(
            conn,
            tenant.key,
            kind=kind,
            reference=claim.reference,
            amount_oere=amount,
            dato=event.virkningsdato,
            now=now,
            claim_id=claim.id,
            data={
                "Kilde": "PSRM",
                "PSRMHændelse": event.kind,
                "DMIFordringEFIFordringID": str(event.fordring_id),
                **({"RelateretFordring": event.claimant_ref} if related else {}),
            },
            message_id=f"PSRM:{event.id}",
        )
    last = events[-1].id
    if cursor is None:
        conn.execute(_INSERT_CURSOR, {"tenant": tenant.key, "psrm_event_id": last})
    else:
        conn.execute(_UPDATE_CURSOR, {"k_tenant": tenant.key, "psrm_event_id": last})


def _handed_over_claim(conn: Connection, tenant: Tenant, reference: str | None, psrm_id: str) -> Any:
    """The debitor system's claim a PSRM event is about: the one under inddrivelse by that reference, or the
    one PSRM recalled with FEJL under that PSRM id; None for a claim the debitor system never handed over."""
    rows = conn.execute(_UNDER_INDDRIVELSE, {"k_tenant": tenant.key, "k_ref": reference}).all()
    return next(
        (
            r
            for r in rows
            if r.state == UNDER_INDDRIVELSE or (r.psrm or {}).get("DMIFordringEFIFordringID") == psrm_id
        ),
        None,
    )


def _move_saldo(conn: Connection, claim_id: int, sign: int, amount: int, now: Any) -> None:
    """Raise or lower (never below zero) a claim's saldo by a PSRM event's amount."""
    saldo = tables.claims.c.saldo_oere
    conn.execute(
        sa.update(tables.claims)
        .where(tables.claims.c.id == claim_id)
        .values(
            saldo_oere=saldo + amount if sign > 0 else sa.case((saldo < amount, 0), else_=saldo - amount),
            updated_at=now.isoformat(),
        )
    )
