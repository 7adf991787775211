"""A small daycare-billing fagsystem (forældrebetaling) that integrates with ØiR the way it should.

It is the reference the suites must pass, and the base of the broken variants below, each of which
changes one realistic thing. It talks to the test kommune only over HTTP with `requests`, exactly as a
vendor's system would.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from typing import Any, ClassVar

import requests
from testkommune.contracts.clock import DANISH_TZ
from testkommune.contracts.driver import KommuneConnection
from testkommune.contracts.errors import FagsystemError
from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.finans import FinansClient
from testkommune.scenarios.fagsystemer.nemkonto import NemKontoClient

OIR_B01 = "/service/OIR/DebitorRegistreringAfsend/1"
OIR_POSTKASSE = "/service/OIR/DaekningAfskrivningRegistreringAfsend/1/HentDaekningAfskrivning"
MAILBOX_SIGN = {  # how each update from the debitor system moves the fagsystem's view of what is owed
    "DAEKNING": -1,
    "AFSKRIVNING": -1,
    "NEDSKRIVNING": -1,
    "MODREGNING": -1,
    "RENTE": 1,
    "RYKKERGEBYR": 1,
    "OPSKRIVNING": 1,
    "STATUS": 0,
}
FORDRINGSTYPE = {  # the vendor's own mapping from the services it bills to PSRM fordringstyper
    "daginstitution": "KFDAINS",
    "sfo": "KFSKFRI",
    "ungdomsklub": "KLFRUNG",
    "tandpleje": "KFETAND",
    "boform": "KFBOTMO",
    "renovation": "KFRENAB",
    "husleje": "DFHUSLJ",
    "sygedagpenge-tilbagebetaling": "KFURSDP",
    "kontanthjaelp-tilbagebetaling": "KTTIBAK",
    "civilretlig-faktura": "CFFAKTU",
    "erstatning": "KFERSMF",
}
SORTIMENT = {  # the vendor's klassifikation of its income lines: service → (Ydelsestype, Omkostningssted)
    "daginstitution": ("INTEGRERET", "SOLSIKKEN"),
    "sfo": ("FRITIDSHJEM", "EGEBAKKEN"),
}
DATALEVERANDOER = ("4711", "FORAELDREBETALING")  # DataleverandøridentifikationKort / -Lang
RETRY_STATUSES = {502, 503, 504}
MONTHS = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
]


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


class Foraeldrebetaling:
    """Reference fagsystem: bills a month of day care in advance and hands unpaid bills over after SRB."""

    name = "foraeldrebetaling"
    version = "1.0.0"
    srb_days_after_forfald = 14
    foraeldelse_years = 3
    max_attempts = 3
    fetch_answers = True  # a lost or later forretningskvittering is fetched with HentForretningskvittering
    reads_mailbox = True  # the daily run reads the debitor system's updates (HentDaekningAfskrivning)

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
        fordring = self.fordring(case, today)
        account = f"DAG-{case.debtor.id}"
        message = {
            "Hovedoplysninger": self._header(today),
            "OpretDebitorkonto": {
                "DebitorkontoSpecifikation": {
                    "DebitorkontoReference": account,
                    "DebitorkontoType": "PERSON" if case.debtor.kind == "person" else "VIRKSOMHED",
                    "JuridiskAnsvarlig": self._party(case),
                },
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

    def pay_out(self, cases: Sequence[BillingCase], today: date) -> None:
        """Pay each case's amount to its party through NemKonto (SF1590_E), e.g. a refund."""
        self.nemkonto.pay(cases, today)

    def correct(self, case: BillingCase, today: date) -> None:
        """New facts after approval: write the registered fordring down or up by the difference (never a new
        fordring, never a changed resend of the old delivery)."""
        reference = f"FB-{case.case_id}-{case.period_from:%Y%m}"
        claim = next(c for c in self.claims if c.reference == reference)
        difference = case.amount - claim.amount
        if not difference:
            return
        operation = "NedskrivFordring" if difference < 0 else "OpskrivFordring"
        body = {
            "FordringReference": reference,
            "Beløb": float(abs(difference)),
            "Årsag": "Rettelse efter godkendelse",
        }
        answer = self._deliver(
            f"{OIR_B01}/{operation}", {"Hovedoplysninger": self._header(today), operation: body}
        )
        if answer is not None and answer["Forretningskvittering"]["Status"] == "GODKENDT":
            claim.amount = case.amount  # restance moves with the debitor system's NEDSKRIVNING/OPSKRIVNING

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
            due = claim.accepted and not claim.handed_over and self.overdue(claim, today)
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
    def fordring(self, case: BillingCase, today: date) -> dict[str, Any]:
        """The ØiR Fordring for one month of day care, due on the first day of the month."""
        forfald = case.period_from
        srb = forfald + timedelta(days=self.srb_days_after_forfald)
        fra, til = self.periode(case)
        month = MONTHS[case.period_from.month - 1]
        return {
            "FordringReference": f"FB-{case.case_id}-{case.period_from:%Y%m}",
            "FordringstypeKode": self.fordringstype(case),
            "Beskrivelse": f"{case.service.capitalize()} {month} {case.period_from:%Y}",
            "HovedstolBeløb": float(case.amount),
            "ValutaKode": "DKK",
            "PeriodeFraDato": fra.isoformat(),
            "PeriodeTilDato": til.isoformat(),
            "StiftelseDato": today.isoformat(),
            "ForfaldDato": forfald.isoformat(),
            "SidsteRettidigeBetalingDato": srb.isoformat(),
            "ForældelseDato": forfald.replace(year=forfald.year + self.foraeldelse_years).isoformat(),
        } | ({"DomDato": case.extra["dom_dato"]} if "dom_dato" in case.extra else {})

    def related(self, case: BillingCase, today: date) -> list[dict[str, Any]]:
        """Further fordringer sent with the main claim: none. Interest and fees (e.g. a fee in
        `case.extra["gebyr"]`) are raised by the debitor system; ØiR's Fordring cannot tie them to a main
        claim, and PSRM refuses them as main claims (PSRM-201)."""
        return []

    def handover_done(self, answer: dict[str, Any] | None) -> bool:
        """ØiR's GODKENDT of the hand-over is final: PSRM's answers come back through the debitor system."""
        return answer is not None and answer["Forretningskvittering"]["Status"] == "GODKENDT"

    # -- finans (SF1590_A) ------------------------------------------------------------------------
    def finansbilag(self, case: BillingCase, today: date) -> dict[str, Any]:
        """One bilag per billed case: debet the mellemregning with the debitor system, kredit the income."""
        month = MONTHS[case.period_from.month - 1]
        kort, lang = DATALEVERANDOER
        assert self.kommune is not None, "connect() first"
        return {
            "BilagID": f"FB-{case.case_id}",
            "Bilagsdato": today.isoformat(),
            "Bogføringsdato": today.isoformat(),
            "DataleverandøridentifikationKort": kort,
            "DataleverandørIdentifikationLang": lang,
            "Myndighed": {"Kommunenummer": self.kommune.kommune},
            "Tekst": f"{case.service.capitalize()} {month} {case.period_from:%Y}"[:100],
            "Finanspostering": self.finans_linjer(case),
        }

    def finans_linjer(self, case: BillingCase) -> list[dict[str, Any]]:
        ydelsestype, sted = SORTIMENT[case.service]
        amount = float(case.amount)
        return [
            {"Beløb": amount, "DebetKredit": "DEBET", "Sortiment": {"Art": "MELLEMREGNING_DEBITOR"}},
            {
                "Beløb": amount,
                "DebetKredit": "KREDIT",
                "Sortiment": {
                    "Ydelsestype": ydelsestype,
                    "Art": "FORAELDREBETALING",
                    "Omkostningssted": sted,
                },
            },
        ]

    def correct_bilag(
        self, bilag: dict[str, Any], errors: list[dict[str, Any]], today: date
    ) -> dict[str, Any] | None:
        """Fejlretning ved kilde: a bilag dated in a closed period is re-dated to today once today's month
        differs; anything this fagsystem cannot correct waits for a caseworker. Never resent unchanged."""
        codes = {e.get("code") for e in errors}
        if "ERP-PERIODE-LUKKET" in codes and bilag["Bogføringsdato"][:7] != today.isoformat()[:7]:
            return bilag | {"Bogføringsdato": today.isoformat()}
        return None

    def correction_id(self, rejected_id: str) -> str:
        """A corrected bilag is a new delivery: a new TransaktionsID (the old one has its stored answer)."""
        return str(uuid.uuid4())

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


class PeriodeOmvendt(Foraeldrebetaling):
    """Defect: writes the period the wrong way round (til before fra) — a classic DOS finding."""

    name = "foraeldrebetaling-periode-omvendt"

    def periode(self, case: BillingCase) -> tuple[date, date]:
        return case.period_to, case.period_from


class OverdragerFoerSRB(Foraeldrebetaling):
    """Defect: hands a claim over as soon as the forfaldsdato has passed, not the SRB."""

    name = "foraeldrebetaling-overdrager-foer-srb"

    def overdue(self, claim: BilledClaim, today: date) -> bool:
        return today > claim.forfald


class NytIdVedGenforsoeg(Foraeldrebetaling):
    """Defect: a retry after a lost answer gets a new TransaktionsID, so ØiR sees a second registration.

    The debitor system refuses it (DEB-FORDRING-DUBLET); a laxer one would book the claim twice.
    """

    name = "foraeldrebetaling-nyt-id-ved-genforsoeg"

    def retry_id(self, message_id: str) -> str:
        return str(uuid.uuid4())


class GeneriskFordringstype(Foraeldrebetaling):
    """Defect: bills every service as a generic invoice claim (CFFAKTU), not its specific fordringstype."""

    name = "foraeldrebetaling-generisk-fordringstype"

    def fordringstype(self, case: BillingCase) -> str:
        return "CFFAKTU"


class UbalanceretBilag(Foraeldrebetaling):
    """Defect: rounds the debet line to whole kroner, books the income exact; the bilag does not balance."""

    name = "foraeldrebetaling-ubalanceret-bilag"

    def finans_linjer(self, case: BillingCase) -> list[dict[str, Any]]:
        lines = super().finans_linjer(case)
        lines[0] = lines[0] | {"Beløb": float(round(case.amount))}
        return lines


class UkendtSortiment(Foraeldrebetaling):
    """Defect: classifies income with its own Ydelsestype code, not a value of the kommune's sortiment."""

    name = "foraeldrebetaling-ukendt-sortiment"

    def finans_linjer(self, case: BillingCase) -> list[dict[str, Any]]:
        lines = super().finans_linjer(case)
        lines[1] = lines[1] | {"Sortiment": lines[1]["Sortiment"] | {"Ydelsestype": "DAGINSTITUTION"}}
        return lines


class HenterIkkeKvittering(Foraeldrebetaling):
    """Defect: never fetches a forretningskvittering that was lost or comes later; assumes all went well."""

    name = "foraeldrebetaling-henter-ikke-kvittering"
    fetch_answers = False


class SammeIdVedRettelse(Foraeldrebetaling):
    """Defect: sends a corrected bilag under the rejected delivery's TransaktionsID, so ØiR answers with the
    stored rejection and the correction never reaches the books."""

    name = "foraeldrebetaling-samme-id-ved-rettelse"

    def correction_id(self, rejected_id: str) -> str:
        return rejected_id


class SenderUaendretIgen(Foraeldrebetaling):
    """Defect: answers a rejection by sending the same bilag again, unchanged, every day."""

    name = "foraeldrebetaling-sender-uaendret-igen"

    def correct_bilag(
        self, bilag: dict[str, Any], errors: list[dict[str, Any]], today: date
    ) -> dict[str, Any] | None:
        return bilag


class OpgiverIServicevindue(Foraeldrebetaling):
    """Defect: gives up on a delivery that got no answer (a planned service window) and forgets it."""

    name = "foraeldrebetaling-opgiver-i-servicevindue"

    def unanswered(self, path: str, message: dict[str, Any], claim: BilledClaim | None) -> None:
        return None


class OverdragerIgen(Foraeldrebetaling):
    """Defect: does not trust ØiR's GODKENDT of a hand-over and asks again every day."""

    name = "foraeldrebetaling-overdrager-igen"

    def handover_done(self, answer: dict[str, Any] | None) -> bool:
        return False


class GebyrSomHovedfordring(Foraeldrebetaling):
    """Defect: sends the fee or interest it charged with the bill as a fordring of its own (GEDAINS or
    REOPDAG as a main claim)."""

    name = "foraeldrebetaling-gebyr-som-hovedfordring"
    related_types: ClassVar[dict[str, tuple[str, str, str]]] = {
        "gebyr": ("GEB", "GEDAINS", "Gebyr"),
        "rente": ("REN", "REOPDAG", "Rente"),
    }

    def related(self, case: BillingCase, today: date) -> list[dict[str, Any]]:
        main = self.fordring(case, today)
        return [
            {
                "FordringReference": f"{prefix}-{case.case_id}-{case.period_from:%Y%m}",
                "FordringstypeKode": kode,
                "Beskrivelse": f"{label} {main['Beskrivelse']}"[:100],
                "HovedstolBeløb": float(case.extra[key]),
                "ValutaKode": "DKK",
                "PeriodeFraDato": main["PeriodeFraDato"],
                "PeriodeTilDato": main["PeriodeTilDato"],
                "ForældelseDato": main["ForældelseDato"],
            }
            for key, (prefix, kode, label) in self.related_types.items()
            if key in case.extra
        ]


class SENummerSomCVR(Foraeldrebetaling):
    """Defect: names a company debtor by its SE number in the CVR field (seeds/001: SE vs CVR)."""

    name = "foraeldrebetaling-se-som-cvr"

    def _party(self, case: BillingCase) -> dict[str, Any]:
        party = super()._party(case)
        if case.debtor.kind == "virksomhed" and case.debtor.se:
            party = {k: v for k, v in party.items() if k != "VirksomhedSENummer"}
            party["VirksomhedCVRNummer"] = case.debtor.se
        return party


class UdbetalerTilCVR(Foraeldrebetaling):
    """Defect: pays a company by its CVR number although the payment belongs to its SE unit (seeds/001)."""

    name = "foraeldrebetaling-udbetaler-til-cvr"

    def payee(self, case: BillingCase) -> dict[str, str]:
        payee = super().payee(case)
        return {"CVRNummer": case.debtor.id} if "SENummer" in payee else payee


class UdenFastBopaelIgnoreres(Foraeldrebetaling):
    """Defect: does not tell the debitor system that a citizen has no fixed address (seeds/001)."""

    name = "foraeldrebetaling-uden-fast-bopael-ignoreres"

    def _party(self, case: BillingCase) -> dict[str, Any]:
        return {k: v for k, v in super()._party(case).items() if k != "UdenFastBopæl"}


class NyFordringVedRettelse(Foraeldrebetaling):
    """Defect: corrects an approved fordring by registering a new one with the new amount (seeds/001)."""

    name = "foraeldrebetaling-ny-fordring-ved-rettelse"

    def correct(self, case: BillingCase, today: date) -> None:
        self.bill(dataclasses.replace(case, case_id=f"{case.case_id}-R"), today)


class IngenRettelseEfterGodkendelse(Foraeldrebetaling):
    """Defect: cannot correct an approved fordring; the caseworker is told to fix it elsewhere (seeds/001)."""

    name = "foraeldrebetaling-ingen-rettelse-efter-godkendelse"

    def correct(self, case: BillingCase, today: date) -> None:
        return None


class DirekteTilInddrivelse(Foraeldrebetaling):
    """Defect: sends a repayment claim straight to inddrivelse the day it is billed, skipping opkrævning."""

    name = "foraeldrebetaling-direkte-til-inddrivelse"

    def overdue(self, claim: BilledClaim, today: date) -> bool:
        return True


class LaeserIkkePostkasse(Foraeldrebetaling):
    """Defect: never reads the debitor system's updates (HentDaekningAfskrivning), so payments, set-offs,
    fees and write-offs never reach its view of what is owed (oeir.md §4.2, §10)."""

    name = "foraeldrebetaling-laeser-ikke-postkasse"
    reads_mailbox = False


class OverdragerUnderRykker(Foraeldrebetaling):
    """Defect: counts the SRB day itself as passed and asks for hand-over then, before the debitor system's
    rykker procedure (which starts the day after SRB) has run (oeir.md §10)."""

    name = "foraeldrebetaling-overdrager-under-rykker"

    def overdue(self, claim: BilledClaim, today: date) -> bool:
        return today >= claim.srb


class DobbeltDaekning(Foraeldrebetaling):
    """Defect: applies a mailbox update every time it is delivered, not once per BeskedID, so a dækning that
    arrives twice is counted twice; believing the claim paid, it never hands the rest over (oeir.md §5)."""

    name = "foraeldrebetaling-dobbelt-daekning"

    def first_time(self, message_id: str) -> bool:
        return True
