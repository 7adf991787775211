"""A small daycare-billing fagsystem (forældrebetaling) that integrates with ØiR the way it should.

It is the reference the suites must pass, and the base of the broken variants below, each of which
changes one realistic thing. It talks to the test kommune only over HTTP with `requests`, exactly as a
vendor's system would.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

import requests

from harness.certify.driver import KommuneConnection
from harness.core.clock import DANISH_TZ
from harness.core.model import BillingCase

OIR_B01 = "/service/OIR/DebitorRegistreringAfsend/1"
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
}
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


class AccessRefusedError(Exception):
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


class Foraeldrebetaling:
    """Reference fagsystem: bills a month of day care in advance and hands unpaid bills over after SRB."""

    name = "foraeldrebetaling"
    version = "1.0.0"
    srb_days_after_forfald = 14
    foraeldelse_years = 3
    max_attempts = 3

    def __init__(self, session: requests.Session | None = None) -> None:
        self.session = session or requests.Session()
        self.kommune: KommuneConnection | None = None
        self.claims: list[BilledClaim] = []
        self.refusals: list[dict[str, Any]] = []

    # -- the driver protocol -------------------------------------------------------------------
    def connect(self, kommune: KommuneConnection) -> None:
        self.kommune = kommune
        self.claims = []
        self.refusals = []

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
                "Fordring": [fordring],
            },
        }
        answer = self._deliver(f"{OIR_B01}/OpretDebitorkonto", message)
        accepted = answer is not None and answer["Forretningskvittering"]["Status"] == "GODKENDT"
        self.claims.append(
            BilledClaim(
                reference=fordring["FordringReference"],
                account=account,
                forfald=date.fromisoformat(fordring["ForfaldDato"]),
                srb=date.fromisoformat(fordring["SidsteRettidigeBetalingDato"]),
                accepted=accepted,
            )
        )

    def run_daily(self, today: date) -> None:
        for claim in self.claims:
            if claim.accepted and not claim.handed_over and self.overdue(claim, today):
                message = {
                    "Hovedoplysninger": self._header(today),
                    "RetFordringTilstand": {
                        "FordringReference": claim.reference,
                        "FordringTilstand": "OVERDRAG_TIL_INDDRIVELSE",
                    },
                }
                answer = self._deliver(f"{OIR_B01}/RetFordringTilstand", message)
                claim.handed_over = (
                    answer is not None and answer["Forretningskvittering"]["Status"] == "GODKENDT"
                )

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
        }

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
            return {"PersonCPRNummer": case.debtor.id, "Navn": case.debtor.name}
        party = {"VirksomhedCVRNummer": case.debtor.id, "Navn": case.debtor.name}
        return party | ({"VirksomhedSENummer": case.debtor.se} if case.debtor.se else {})

    def _deliver(self, path: str, message: dict[str, Any]) -> dict[str, Any] | None:
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
        raise ConnectionError(f"no answer from ØiR at {url} after {self.max_attempts} attempts")


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
    """Defect: a retry after a lost answer gets a new TransaktionsID, so the claim is booked twice."""

    name = "foraeldrebetaling-nyt-id-ved-genforsoeg"

    def retry_id(self, message_id: str) -> str:
        return str(uuid.uuid4())


class GeneriskFordringstype(Foraeldrebetaling):
    """Defect: bills every service as a generic invoice claim (CFFAKTU), not its specific fordringstype."""

    name = "foraeldrebetaling-generisk-fordringstype"

    def fordringstype(self, case: BillingCase) -> str:
        return "CFFAKTU"
