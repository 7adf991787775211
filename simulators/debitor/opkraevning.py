"""The debitor system's own opkrævning: due dates, rykker, fees, renter, hand-over once SRB has passed.

Runs on every call (simulators.simulation.catch_up) for the steps whose date has come on the tenant's
simulated clock, following the tenant's debitor profile (contracts/reference/debitorprofiler.json):

- rykker n is sent `dage_efter_srb[n]` days after the claim's SRB while something is still owed: a letter to
  the debtor (the last one warns of hand-over to inddrivelse), a RYKKERGEBYR delfordring and a mailbox
  message to the fagsystem;
- renter (profile `renter.pct_pa`, simple daily interest on the unpaid hovedstol from the day after SRB) are
  added with each rykker and at hand-over, as a RENTE delfordring and a mailbox message;
- with `automatisk_overdragelse`, once every rykker is sent, SRB has passed and
  `overdragelse_dage_efter_sidste_rykker` days have gone since the last rykker, the claim is handed to PSRM
  (the same hand-over as RetFordringTilstand OVERDRAG_TIL_INDDRIVELSE) and leaves opkrævning.

Each claim keeps the next day a step can be due (`naeste_skridt`), so a call finds due work with one
indexed query. Without automatic hand-over a claim whose rykker are all sent is looked at daily (a payment
may settle it). Claims in BERO wait; the day after SRB is the first possible step for any profile.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from harness.core.clock import danish_date
from harness.core.money import wire
from simulators import store
from simulators.context import OpContext
from simulators.debitor import konto, mailbox, service, tables
from simulators.debitor.profiles import Profile, profile_for
from simulators.tenancy import Tenant

AKTIV = "AKTIV"
GEBYR_FRIST_DAGE = 10  # a fee falls due with its rykker; its SRB is the rykker's payment deadline [I]


def process_due(conn: Connection, tenant: Tenant, settings: dict[str, Any], now: datetime) -> None:
    """Run the opkrævning steps whose time has come on the simulated clock."""
    today = danish_date(now)
    rows = conn.execute(
        sa.select(store.claims, tables.opkraevning.c.rykker_sendt, tables.opkraevning.c.renter_til)
        .join(tables.opkraevning, tables.opkraevning.c.claim_id == store.claims.c.id)
        .where(
            tables.opkraevning.c.tenant == tenant.key,
            tables.opkraevning.c.status == AKTIV,
            tables.opkraevning.c.naeste_skridt <= today.isoformat(),
        )
        .order_by(store.claims.c.id)
    ).all()
    if rows:
        profile = profile_for(settings)
        for claim in rows:
            if claim.state == "OPKRAEVNING":  # in BERO nothing happens; the step waits for GENOPTAG
                _step(conn, tenant, settings, profile, claim, today, now)


def _srb(claim: Any) -> date | None:
    value = claim.data.get("SidsteRettidigeBetalingDato") or claim.data.get("ForfaldDato")
    return date.fromisoformat(value) if value else None


def _owed(conn: Connection, claim_id: int) -> int:
    return sum(p.saldo_oere for p in konto.parts_of(conn, claim_id))


def _step(
    conn: Connection,
    tenant: Tenant,
    settings: dict[str, Any],
    profile: Profile,
    claim: Any,
    today: date,
    now: datetime,
) -> None:
    srb = _srb(claim)
    if srb is None:
        konto.set_opkraevning(conn, claim.id, status="UDEN_FRIST", naeste_skridt=None)
        return
    sent = claim.rykker_sendt
    renter_til = date.fromisoformat(claim.renter_til) if claim.renter_til else srb
    while sent < len(profile.rykker_dage):
        due = srb + timedelta(days=profile.rykker_dage[sent])
        if due > today or _owed(conn, claim.id) <= 0:
            break
        renter_til = _renter(conn, tenant, profile, claim, renter_til, due, now)
        sent += 1
        _rykker(conn, tenant, profile, claim, sent, due, now)
        konto.set_opkraevning(conn, claim.id, rykker_sendt=sent, renter_til=renter_til.isoformat())
    if _owed(conn, claim.id) <= 0:
        konto.set_opkraevning(conn, claim.id, status="BETALT", naeste_skridt=None)
        return
    if sent < len(profile.rykker_dage):
        next_day = srb + timedelta(days=profile.rykker_dage[sent])
        konto.set_opkraevning(conn, claim.id, naeste_skridt=next_day.isoformat())
        return
    if not profile.automatisk_overdragelse:  # the fagsystem decides (RetFordringTilstand); check again daily
        konto.set_opkraevning(conn, claim.id, naeste_skridt=(today + timedelta(days=1)).isoformat())
        return
    last = srb + timedelta(days=profile.rykker_dage[-1]) if profile.rykker_dage else srb
    hand_over_day = last + timedelta(days=profile.overdragelse_dage)
    if today < hand_over_day:
        konto.set_opkraevning(conn, claim.id, naeste_skridt=hand_over_day.isoformat())
        return
    renter_til = _renter(conn, tenant, profile, claim, renter_til, today, now)
    konto.set_opkraevning(conn, claim.id, renter_til=renter_til.isoformat())
    hand_over(OpContext(conn=conn, tenant=tenant, now=now, settings=settings), claim)


def hand_over(ctx: OpContext, claim: Any) -> dict[str, Any]:
    answer = service.hand_over(ctx, claim)
    if answer["Status"] != "GODKENDT":  # PSRM refused at once: stop, the fagsystem must correct and retry
        konto.set_opkraevning(ctx.conn, claim.id, status="STANDSET")
    return answer


def _rykker(
    conn: Connection, tenant: Tenant, profile: Profile, claim: Any, number: int, due: date, now: datetime
) -> None:
    account = konto.account_of(conn, claim.account_id)
    final = number == len(profile.rykker_dage)
    if profile.gebyr_oere > 0:
        konto.add_part(
            conn,
            tenant.key,
            claim.id,
            kind="RYKKERGEBYR",
            reference=f"RYKKER-{number}",
            forfald=due.isoformat(),
            srb=(due + timedelta(days=GEBYR_FRIST_DAGE)).isoformat(),
            amount=profile.gebyr_oere,
            now=now,
        )
        mailbox.post(
            conn,
            tenant.key,
            kind="RYKKERGEBYR",
            reference=claim.reference,
            amount_oere=profile.gebyr_oere,
            dato=due.isoformat(),
            now=now,
            claim_id=claim.id,
            data={"RykkerNummer": number},
            message_id=f"RYKKERGEBYR:{claim.id}:{number}",
            profile=profile,
        )
    konto.letter(
        conn,
        tenant.key,
        account_id=account.id,
        claim_id=claim.id,
        kind="RYKKER",
        recipient=account.debtor_id,
        dato=due,
        data={
            "FordringReference": claim.reference,
            "RykkerNummer": number,
            "Gebyr": wire(profile.gebyr_oere),
            "Restance": wire(_owed(conn, claim.id)),
            "BetalingsfristDato": (due + timedelta(days=GEBYR_FRIST_DAGE)).isoformat(),
            "VarselOmInddrivelse": final and profile.automatisk_overdragelse,
            "Profil": profile.id,
        },
    )


def _renter(
    conn: Connection, tenant: Tenant, profile: Profile, claim: Any, since: date, until: date, now: datetime
) -> date:
    """Add simple daily interest on the unpaid hovedstol for the days (since, until]; returns `until`."""
    days = (until - since).days
    if profile.rente_pct <= 0 or days <= 0:
        return max(since, until)
    principal = conn.execute(
        sa.select(store.claims.c.saldo_oere).where(store.claims.c.id == claim.id)
    ).scalar()
    exact = Decimal(principal) * Decimal(str(profile.rente_pct)) / 100 * days / 365
    amount = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))  # whole øre, half up
    if amount > 0:
        konto.add_part(
            conn,
            tenant.key,
            claim.id,
            kind="RENTE",
            reference=f"RENTE-{until.isoformat()}",
            forfald=until.isoformat(),
            srb=(until + timedelta(days=GEBYR_FRIST_DAGE)).isoformat(),
            amount=amount,
            now=now,
        )
        mailbox.post(
            conn,
            tenant.key,
            kind="RENTE",
            reference=claim.reference,
            amount_oere=amount,
            dato=until.isoformat(),
            now=now,
            claim_id=claim.id,
            data={"FraDato": since.isoformat(), "TilDato": until.isoformat(), "RentePct": profile.rente_pct},
            message_id=f"RENTE:{claim.id}:{until.isoformat()}",
            profile=profile,
        )
    return until
