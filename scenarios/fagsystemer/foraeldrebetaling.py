"""A small daycare-billing fagsystem (forældrebetaling) that integrates with ØiR the way it should.

It is the reference the suites must pass, and the base of the broken variants (`varianter.py`,
`varianter_livsforloeb/`), each of which changes one realistic thing. It talks to the test kommune only
over HTTP with `requests`, exactly as a vendor's system would. The life of a case after billing (business
events) is in `livsforloeb.py`, the finans rules in `finans_regler.py`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from typing import Any

import requests
from testkommune.contracts.clock import DANISH_TZ
from testkommune.contracts.driver import ConformanceStatement, KommuneConnection
from testkommune.contracts.errors import FagsystemError
from testkommune.contracts.model import BillingCase, Party
from testkommune.scenarios.fagsystemer.finans import FinansClient
from testkommune.scenarios.fagsystemer.finans_regler import FinansRegler
from testkommune.scenarios.fagsystemer.katalog import (
    DATALEVERANDOER,
    FORDRINGSTYPE,
    MAILBOX_SIGN,
    MONTHS,
    OIR_B01,
    OIR_POSTKASSE,
    RETRY_STATUSES,
    SORTIMENT,
)
from testkommune.scenarios.fagsystemer.livsforloeb import OIR_EVENTS, OirLivsforloeb
from testkommune.scenarios.fagsystemer.nemkonto import NemKontoClient

__all__ = ["FORDRINGSTYPE", "SORTIMENT", "AccessRefusedError", "BilledClaim", "Foraeldrebetaling"]


class AccessRefusedError(FagsystemError):
    """Serviceplatformen refused the call (credentials, serviceaftale): a set-up fault, not an answer."""


@dataclass
class BilledClaim:
    """The fagsystem's own record of a bill it sent."""

    reference: str
    account: str
    forfald: date
    srb: date
    accepted: bool
    handed_over: bool = False
    amount: Decimal = Decimal(0)
    restance: Decimal = Decimal(0)  # what the debtor owes on it, as the debitor system's updates tell
    fordring_id: str | None = None  # the debitor system's id of it (from the forretningskvittering)
    state: str = "OPKRAEVNING"  # OPKRAEVNING, BERO (complaint), ANNULLERET (as the fagsystem asked)


class Foraeldrebetaling(OirLivsforloeb, FinansRegler):
    """Reference fagsystem: bills a month of day care in advance and hands unpaid bills over after SRB.

    Its conformance statement: the ØiR role, every business event ØiR can carry for a claim under
    opkrævning, co-debtors and payouts in series (not a PSRM hearing: only the direct role answers one)."""

    name = "foraeldrebetaling"
    version = "1.0.0"
    srb_days_after_forfald = 14
    foraeldelse_years = 3
    max_attempts = 3
    fetch_answers = True  # a lost or later forretningskvittering is fetched with HentForretningskvittering
    reads_mailbox = True  # the daily run reads the debitor system's updates (HentDaekningAfskrivning)
    conformance = ConformanceStatement("oir", OIR_EVENTS)

    def __init__(self, session: requests.Session | None = None) -> None:
        self.session = session or requests.Session()
        self.kommune: KommuneConnection | None = None
        self.claims: list[BilledClaim] = []
        self.refusals: list[dict[str, Any]] = []
        self.outbox: list[tuple[str, dict[str, Any], BilledClaim | None]] = []
        self.finans = FinansClient(self)
        self.nemkonto = NemKontoClient(self, DATALEVERANDOER)
        self.cursor = 0
        self.seen: set[str] = set()

    # -- the driver protocol -------------------------------------------------------------------
    def connect(self, kommune: KommuneConnection) -> None:
        self.kommune = kommune
        self.claims = []
        self.refusals = []
        self.outbox = []
        self.finans = FinansClient(self)
        self.nemkonto = NemKontoClient(self, DATALEVERANDOER)
        self.cursor = 0
        self.seen = set()

    def post_finans(self, cases: Sequence[BillingCase], today: date, masse: bool) -> None:
        """Book the billed income in the kommune's ERP (SF1590_A), straks or in one masseleverance."""
        self.finans.post(cases, today, masse)

    def bill(self, case: BillingCase, today: date) -> None:
        fordring = self.fordring(case, today) | self.liable(case)
        account = f"DAG-{case.debtor.id}"
        message = {
            "Hovedoplysninger": self._header(today),
            "OpretDebitorkonto": {
                "DebitorkontoSpecifikation": {
                    "DebitorkontoReference": account,
                    "DebitorkontoType": "PERSON" if case.debtor.kind == "person" else "VIRKSOMHED",
                    "JuridiskAnsvarlig": self._party(case),
                }
                | self.co_liable(case),
                "Fordring": [fordring, *self.related(case, today)],
            },
        }
        claim = BilledClaim(
            reference=fordring["FordringReference"],
            account=account,
            forfald=date.fromisoformat(fordring["ForfaldDato"]),
            srb=date.fromisoformat(fordring["SidsteRettidigeBetalingDato"]),
            accepted=False,
            amount=case.amount,
            restance=case.amount,
        )
        self.claims.append(claim)
        answer = self._deliver(f"{OIR_B01}/OpretDebitorkonto", message, claim)
        claim.accepted = answer is not None and answer["Forretningskvittering"]["Status"] == "GODKENDT"
        self.remember_ids(answer)

    def remember_ids(self, answer: dict[str, Any] | None) -> None:
        """Keep the debitor system's FordringID of each claim it booked (a direct payment names it)."""
        booked = ((answer or {}).get("Forretningskvittering") or {}).get("Fordring") or []
        ids = {b["FordringReference"]: b["FordringID"] for b in booked}
        for claim in self.claims:
            claim.fordring_id = ids.get(claim.reference, claim.fordring_id)

    def pay_out(self, cases: Sequence[BillingCase], today: date) -> None:
        """Pay each case's amount to its party through NemKonto (SF1590_E), e.g. a refund."""
        self.nemkonto.pay(cases, today)

    def correct(self, case: BillingCase, today: date) -> None:
        """New facts after approval: write the registered fordring down or up by the difference (never a new
        fordring, never a changed resend of the old delivery)."""
        self.regulate(case, case.amount, "Rettelse efter godkendelse", today)

    def run_daily(self, today: date) -> None:
        waiting, self.outbox = self.outbox, []
        for path, message, waiting_claim in waiting:  # what a closed counterpart could not take, unchanged
            answer = self._deliver(path, message, waiting_claim)
            if waiting_claim is not None and answer is not None:
                waiting_claim.accepted = answer["Forretningskvittering"]["Status"] == "GODKENDT"
        self.finans.daily(today)
        self.nemkonto.daily(today)
        if self.reads_mailbox:
            self.read_mailbox()
        for claim in self.claims:
            due = claim.accepted and claim.state == "OPKRAEVNING" and not claim.handed_over
            due = due and self.overdue(claim, today)
            if due and not self.paid(claim):
                message = {
                    "Hovedoplysninger": self._header(today),
                    "RetFordringTilstand": {
                        "FordringReference": claim.reference,
                        "FordringTilstand": "OVERDRAG_TIL_INDDRIVELSE",
                    },
                }
                answer = self._deliver(f"{OIR_B01}/RetFordringTilstand", message)
                claim.handed_over = self.handover_done(answer)

    def read_mailbox(self) -> None:
        """Read the debitor system's updates from the last cursor (DaekningAfskrivningRegistreringAfsend,
        oeir.md §4.2) and apply each message once to the fagsystem's view of its claims' restance."""
        assert self.kommune is not None, "connect() first"
        by_reference = {c.reference: c for c in self.claims}
        while True:
            try:
                response = self.session.post(
                    self.kommune.base_url + OIR_POSTKASSE,
                    json={"Cursor": self.cursor},
                    headers=self.kommune.headers,
                    timeout=30,
                )
            except requests.ConnectionError:
                return
            if response.status_code != 200:
                return  # closed or failing today: read again from the same cursor tomorrow
            body = response.json()
            for message in body["Besked"]:
                claim = by_reference.get(message["FordringReference"])
                if claim is None or not self.first_time(message["BeskedID"]):
                    continue
                sign = MAILBOX_SIGN.get(message["Type"], 0)
                claim.restance += sign * Decimal(str(message["Beløb"]))
            self.cursor = body["Cursor"]
            if not body["FlereBeskeder"]:
                return

    def first_time(self, message_id: str) -> bool:
        """Whether this BeskedID is new (and remember it): a mailbox message is applied once, however often it
        is delivered (oeir.md §5: no duplicates)."""
        if message_id in self.seen:
            return False
        self.seen.add(message_id)
        return True

    # -- business rules (what the broken variants get wrong) -------------------------------------
    def reference(self, case: BillingCase) -> str:
        """The fagsystem's own FordringReference for one case's month."""
        return f"FB-{case.case_id}-{case.period_from:%Y%m}"

    def fordring(self, case: BillingCase, today: date) -> dict[str, Any]:
        """The ØiR Fordring for one month of day care, due on the first day of the month."""
        forfald = case.period_from
        srb = forfald + timedelta(days=self.srb_days_after_forfald)
        fra, til = self.periode(case)
        month = MONTHS[case.period_from.month - 1]
        return {
            "FordringReference": self.reference(case),
            "FordringstypeKode": self.fordringstype(case),
            "Beskrivelse": f"{case.service.capitalize()} {month} {case.period_from:%Y}",
            "HovedstolBeløb": float(case.amount),
            "ValutaKode": "DKK",
            "PeriodeFraDato": fra.isoformat(),
            "PeriodeTilDato": til.isoformat(),
            "StiftelseDato": case.period_from.isoformat(),  # = periode start (KFDAINS R_6_15)
            "ForfaldDato": forfald.isoformat(),
            "SidsteRettidigeBetalingDato": srb.isoformat(),
            "ForældelseDato": self.foraeldelse(case, forfald).isoformat(),
        } | ({"DomDato": case.extra["dom_dato"]} if "dom_dato" in case.extra else {})

    def foraeldelse(self, case: BillingCase, forfald: date) -> date:
        """3 years from forfald; 10 from a judgment (forældelsesloven § 5 stk. 1 nr. 3; annex R_2_1a)."""
        if "dom_dato" in case.extra:
            dom = date.fromisoformat(case.extra["dom_dato"])
            return dom.replace(year=dom.year + 10)
        return forfald.replace(year=forfald.year + self.foraeldelse_years)

    def related(self, case: BillingCase, today: date) -> list[dict[str, Any]]:
        """Further fordringer sent with the main claim: none. Interest and fees (e.g. a fee in
        `case.extra["gebyr"]`) are raised by the debitor system; ØiR's Fordring cannot tie them to a main
        claim, and PSRM refuses them as main claims (PSRM-201)."""
        return []

    def handover_done(self, answer: dict[str, Any] | None) -> bool:
        """ØiR's GODKENDT of the hand-over is final: PSRM's answers come back through the debitor system."""
        return answer is not None and answer["Forretningskvittering"]["Status"] == "GODKENDT"

    def paid(self, claim: BilledClaim) -> bool:
        """Nothing is owed on the claim as the debitor system's updates tell: nothing to hand over."""
        return claim.restance <= 0

    def base_url_and_headers(self) -> tuple[str, dict[str, str]]:
        assert self.kommune is not None, "connect() first"
        return self.kommune.base_url, self.kommune.headers

    def header(self, today: date) -> dict[str, str]:
        return self._header(today)

    def periode(self, case: BillingCase) -> tuple[date, date]:
        return case.period_from, case.period_to

    def fordringstype(self, case: BillingCase) -> str:
        """The specific fordringstype of the service's legal basis."""
        return FORDRINGSTYPE[case.service]

    def overdue(self, claim: BilledClaim, today: date) -> bool:
        """PSRM takes a claim only once its SRB has passed (psrm.md §1.3)."""
        return today > claim.srb

    def retry_id(self, message_id: str) -> str:
        """A retried delivery keeps its TransaktionsID, so ØiR can recognise it (oeir.md §5)."""
        return message_id

    # -- transport ----------------------------------------------------------------------------
    def _header(self, today: date) -> dict[str, str]:
        sent = datetime.combine(today, clock_time(9, 0), DANISH_TZ)
        return {"TransaktionsID": str(uuid.uuid4()), "TransaktionsTid": sent.isoformat()}

    def _party(self, case: BillingCase) -> dict[str, Any]:
        if case.debtor.kind == "person":
            person = {"PersonCPRNummer": case.debtor.id, "Navn": case.debtor.name}
            return person | ({"UdenFastBopæl": True} if case.debtor.address is None else {})
        party = {"VirksomhedCVRNummer": case.debtor.id, "Navn": case.debtor.name}
        return party | ({"VirksomhedSENummer": case.debtor.se} if case.debtor.se else {})

    def liable(self, case: BillingCase) -> dict[str, Any]:
        """The fordring's Hæftelse: every liable debtor when there are several (else the account's own)."""
        if not case.co_debtors:
            return {}
        return {"Hæftelse": [_party_id(p) for p in case.debtors]}

    def co_liable(self, case: BillingCase) -> dict[str, Any]:
        """The account's JuridiskMedhæfter: each co-debtor, jointly liable with the debtor."""
        if not case.co_debtors:
            return {}
        return {"JuridiskMedhæfter": [_part(c.party) for c in case.co_debtors]}

    def end_to_end_id(self, case: BillingCase, nth: int) -> str:
        """The payment's own reference, new for every payout (NemKonto refuses one used before)."""
        return f"U{nth}-{case.case_id}"[:27]

    def payee(self, case: BillingCase) -> dict[str, str]:
        """NemKonto's payee: a citizen by CPR; a company's unit by its SE number (its NemKonto), else CVR."""
        if case.debtor.kind == "person":
            return {"CPRNummer": case.debtor.id}
        return {"SENummer": case.debtor.se} if case.debtor.se else {"CVRNummer": case.debtor.id}

    def unanswered(self, path: str, message: dict[str, Any], claim: BilledClaim | None) -> None:
        """No answer after every attempt (a service window, errors): keep it and send it again, unchanged and
        with the same TransaktionsID, in the next daily run — nothing is lost (oeir.md §5)."""
        self.outbox.append((path, message, claim))

    def _deliver(
        self, path: str, message: dict[str, Any], claim: BilledClaim | None = None
    ) -> dict[str, Any] | None:
        assert self.kommune is not None, "connect() first"
        url = self.kommune.base_url + path
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self.session.post(url, json=message, headers=self.kommune.headers, timeout=30)
            except requests.ConnectionError:
                response = None
            if response is not None and response.status_code not in RETRY_STATUSES:
                body = response.json()
                if response.status_code in (401, 403):
                    codes = ", ".join(e["code"] for e in body.get("errors", []))
                    raise AccessRefusedError(f"ØiR refused access ({response.status_code}): {codes}")
                if response.status_code >= 400:
                    self.refusals.append(body)
                    return None
                return body
            if attempt < self.max_attempts:
                time.sleep(0.01 * attempt)
                header = message["Hovedoplysninger"]
                message = message | {
                    "Hovedoplysninger": header | {"TransaktionsID": self.retry_id(header["TransaktionsID"])}
                }
        self.unanswered(path, message, claim)
        return None


def _party_id(party: Party) -> dict[str, str]:
    return {"PersonCPRNummer": party.id} if party.kind == "person" else {"VirksomhedCVRNummer": party.id}


def _part(party: Party) -> dict[str, Any]:
    return _party_id(party) | {"Navn": party.name}


def __getattr__(name: str) -> Any:
    """The broken variants moved to `varianter.py`; importing them from here still works."""
    from testkommune.scenarios.fagsystemer import varianter

    try:
        return getattr(varianter, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
