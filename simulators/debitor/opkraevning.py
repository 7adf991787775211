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

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlalchemy.engine import Connection
from testkommune.contracts.clock import danish_date
from testkommune.contracts.fordringstyper import fordringstyper
from testkommune.contracts.money import wire
from testkommune.simulators.context import OpContext
from testkommune.simulators.debitor import konto, mailbox, service, tables
from testkommune.simulators.debitor.profiles import Profile, profile_for
from testkommune.simulators.tenancy import Tenant

AKTIV = "AKTIV"
GEBYR_FRIST_DAGE = 10  # a fee falls due with its rykker; its SRB is the rykker's payment deadline [I]


_opk = tables.opkraevning.c
_parts = tables.delfordringer.c
_of_claim = _parts.claim_id == tables.claims.c.id
_DUE = (
    sa.select(
        tables.claims,
        _opk.rykker_sendt,
        _opk.renter_til,
        tables.accounts.c.debtor_id.label("account_debtor_id"),
        sa.select(sa.func.coalesce(sa.func.sum(_parts.saldo_oere), 0)).where(_of_claim).label("owed"),
        sa.select(sa.func.coalesce(sa.func.max(_parts.nr), 0)).where(_of_claim).label("last_nr"),
    )
    .join(tables.opkraevning, _opk.claim_id == tables.claims.c.id)
    .join(tables.accounts, tables.accounts.c.id == tables.claims.c.account_id)
    .where(
        _opk.tenant == sa.bindparam("k_tenant"),
        _opk.status == AKTIV,
        _opk.naeste_skridt <= sa.bindparam("k_today"),
    )
    .order_by(tables.claims.c.id)
)
"""The claims with an opkrævning step due by a day: their record, the account's debtor, what is owed on
the claim (the sum of its delfordringer's saldo) and its last delfordring nr."""


def process_due(conn: Connection, tenant: Tenant, settings: dict[str, Any], now: datetime) -> None:
    """Run the opkrævning steps whose time has come on the simulated clock."""
    today = danish_date(now)
    rows = conn.execute(_DUE, {"k_tenant": tenant.key, "k_today": today.isoformat()}).all()
    if rows:
        profile = profile_for(settings)
        for claim in rows:
            if claim.state == "OPKRAEVNING":  # in BERO nothing happens; the step waits for GENOPTAG
                _step(conn, tenant, settings, profile, claim, today, now)


def _srb(claim: Any) -> date | None:
    value = claim.data.get("SidsteRettidigeBetalingDato") or claim.data.get("ForfaldDato")
    return date.fromisoformat(value) if value else None


@dataclass(slots=True)
class _Parts:
    """What is owed on the claim being stepped and its last delfordring nr, kept as parts are added."""

    owed: int
    last_nr: int

    def add(self, conn: Connection, tenant: Tenant, claim_id: int, **part: Any) -> None:
        """Add the claim's next delfordring (nr after the last one)."""
        self.last_nr += 1
        konto.add_part(conn, tenant.key, claim_id, nr=self.last_nr, **part)
        self.owed += part["amount"]


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
    parts = _Parts(owed=int(claim.owed), last_nr=int(claim.last_nr))
    record: dict[str, Any] = {}  # the opkrævning record's new values, written once
    sent = claim.rykker_sendt
    renter_til = date.fromisoformat(claim.renter_til) if claim.renter_til else srb
    while sent < len(profile.rykker_dage):
        due = srb + timedelta(days=profile.rykker_dage[sent])
        if due > today or parts.owed <= 0:
            break
        renter_til = _renter(conn, tenant, profile, claim, parts, renter_til, due, now)
        sent += 1
        _rykker(conn, tenant, profile, claim, parts, sent, due, now)
        record |= {"rykker_sendt": sent, "renter_til": renter_til.isoformat()}
    later = _waiting(profile, srb, sent, today, parts.owed)
    if later is not None:
        konto.set_opkraevning(conn, claim.id, **(record | later))
        return
    renter_til = _renter(conn, tenant, profile, claim, parts, renter_til, today, now)
    konto.set_opkraevning(conn, claim.id, **(record | {"renter_til": renter_til.isoformat()}))
    hand_over(OpContext(conn=conn, tenant=tenant, now=now, settings=settings), claim)


def _waiting(profile: Profile, srb: date, sent: int, today: date, owed: int) -> dict[str, Any] | None:
    """The opkrævning record's values when the claim stays (paid, or its next step later); None when the
    hand-over to PSRM is due today."""
    if owed <= 0:
        return {"status": "BETALT", "naeste_skridt": None}
    if sent < len(profile.rykker_dage):
        return {"naeste_skridt": (srb + timedelta(days=profile.rykker_dage[sent])).isoformat()}
    if not profile.automatisk_overdragelse:  # the fagsystem decides (RetFordringTilstand); check again daily
        return {"naeste_skridt": (today + timedelta(days=1)).isoformat()}
    last = srb + timedelta(days=profile.rykker_dage[-1]) if profile.rykker_dage else srb
    hand_over_day = last + timedelta(days=profile.overdragelse_dage)
    if profile.rykker_dage:  # the last rykker's payment deadline must have passed (filterregler.md §1 [C])
        hand_over_day = max(hand_over_day, last + timedelta(days=GEBYR_FRIST_DAGE + 1))
    if today < hand_over_day:
        return {"naeste_skridt": hand_over_day.isoformat()}
    return None


def hand_over(ctx: OpContext, claim: Any) -> dict[str, Any]:
    answer = service.hand_over(ctx, claim)
    if answer["Status"] != "GODKENDT":  # PSRM refused at once: stop, the fagsystem must correct and retry
        konto.set_opkraevning(ctx.conn, claim.id, status="STANDSET")
    return answer


def _rykker(
    conn: Connection,
    tenant: Tenant,
    profile: Profile,
    claim: Any,
    parts: _Parts,
    number: int,
    due: date,
    now: datetime,
) -> None:
    final = number == len(profile.rykker_dage)
    if profile.gebyr_oere > 0:
        parts.add(
            conn,
            tenant,
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
        account_id=claim.account_id,
        claim_id=claim.id,
        kind="RYKKER",
        recipient=claim.account_debtor_id,
        dato=due,
        data={
            "FordringReference": claim.reference,
            "RykkerNummer": number,
            "Gebyr": wire(profile.gebyr_oere),
            "Restance": wire(parts.owed),
            "BetalingsfristDato": (due + timedelta(days=GEBYR_FRIST_DAGE)).isoformat(),
            "VarselOmInddrivelse": final and profile.automatisk_overdragelse,
            "Profil": profile.id,
        },
    )


def _renter(
    conn: Connection,
    tenant: Tenant,
    profile: Profile,
    claim: Any,
    parts: _Parts,
    since: date,
    until: date,
    now: datetime,
) -> date:
    """Add simple daily interest on the unpaid hovedstol for the days (since, until]; returns `until`.

    The hovedstol's saldo is the claim row's: a step changes no claim's saldo."""
    days = (until - since).days
    if profile.rente_pct <= 0 or days <= 0:
        return max(since, until)
    forfald = _gebyrlov_forfald(claim) if profile.gebyrlov_renter else None
    if forfald is not None:  # gebyrloven § 3: whole percents, not a yearly rate
        before = 0 if since <= (_srb(claim) or since) else gebyrlov_procent(forfald, since)
        exact = Decimal(claim.saldo_oere) * (gebyrlov_procent(forfald, until) - before) / 100
    else:
        exact = Decimal(claim.saldo_oere) * Decimal(str(profile.rente_pct)) / 100 * days / 365
    amount = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))  # whole øre, half up
    if amount > 0:
        parts.add(
            conn,
            tenant,
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


def _gebyrlov_forfald(claim: Any) -> date | None:
    """The claim's forfaldsdato when gebyrloven § 3 interest applies (a daycare claim), else None."""
    known = fordringstyper().get(claim.data.get("FordringstypeKode", ""))
    forfald = claim.data.get("ForfaldDato")
    if known is None or known.forretningsomraade != "daginstitution" or not forfald:
        return None
    return date.fromisoformat(forfald)


def gebyrlov_procent(forfald: date, on: date) -> int:
    """Gebyrloven § 3 as the ministry reads it (filterregler.md §5.3 [C]): 1 % on the forfaldsdato and 1 %
    for each further started month, months counted from the forfaldsdato's day of the month."""
    if on < forfald:
        return 0
    months = 0
    while forfald + relativedelta(months=months + 1) <= on:
        months += 1
    return 1 + months
