"""An outside team's fagsystems (issue 13's independent check, played before it is run): one realistic
integration defect each (`UDEFRA_BROKEN`), and lawful ones written differently (`UDEFRA_LAWFUL`).

They overlap none of `varianter.py`, `varianter_selvtest.py`, `varianter_livsforloeb/` or
`varianter_lovlige.py`; `scenarios.fagsystemer.VARIANTS` lists them, so `certify --fagsystem NAME` finds them.
Direct-role variants live in `varianter_udefra_s2s.py` and build their PSRM messages through `s2s.py`.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from testkommune.contracts.driver import KommuneConnection
from testkommune.contracts.events import ComplaintReceived, DebtorPaid, ServiceEnded
from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.foraeldrebetaling import BilledClaim, Foraeldrebetaling
from testkommune.scenarios.fagsystemer.livsforloeb import REASONS, pro_rata
from testkommune.scenarios.fagsystemer.varianter_udefra_s2s import (
    S2SHoeringUdenBegrundelse,
    S2SIndbVirkningIDag,
    S2SKlageSomFejl,
    S2SLoebenummer,
    S2SOphoerSomIndbetaling,
    S2SOverdragerVedForfald,
    S2SSrb21,
)

# --- the life of a case (ØiR role) -----------------------------------------------------------------------


class OphoerDagForTidligt(Foraeldrebetaling):
    """Defect: counts the service's last day as not owed (off by one), so it writes one day too much down."""

    name = "foraeldrebetaling-ophoer-dag-for-tidligt"

    def service_ended(self, case: BillingCase, event: ServiceEnded, today: date) -> None:
        owed = pro_rata(case.amount, case.period_from, case.period_to, event.last_day - timedelta(days=1))
        self.regulate(case, owed, f"{REASONS['ophoer']} {event.last_day.isoformat()}", today)


class KlageAnnullerer(Foraeldrebetaling):
    """Defect: cancels the claim when the debtor complains (ANNULLER), instead of pausing it (BERO)."""

    name = "foraeldrebetaling-klage-annullerer"

    def complaint_received(self, case: BillingCase, event: ComplaintReceived, today: date) -> None:
        self.set_state(case, "ANNULLER", today)


class IndbetalingToGange(Foraeldrebetaling):
    """Defect: registers a direct payment twice — a 'retry' that makes a new IndbetalingID each time."""

    name = "foraeldrebetaling-indbetaling-to-gange"

    def debtor_paid(self, case: BillingCase, event: DebtorPaid, today: date) -> None:
        super().debtor_paid(case, event, today)
        super().debtor_paid(case, event, today)


class BetalingsdatoIDag(Foraeldrebetaling):
    """Defect: registers a direct payment with the day it registers it, not the day the debtor paid."""

    name = "foraeldrebetaling-betalingsdato-i-dag"

    def debtor_paid(self, case: BillingCase, event: DebtorPaid, today: date) -> None:
        super().debtor_paid(case, DebtorPaid(event.amount, today), today)


class OverdragerBetalt(Foraeldrebetaling):
    """Defect: hands every accepted claim over after SRB without looking at what is still owed."""

    name = "foraeldrebetaling-overdrager-betalt"

    def paid(self, claim: BilledClaim) -> bool:
        return False


# --- who owes ---------------------------------------------------------------------------------------------


class MedhaefterSomEgenFordring(Foraeldrebetaling):
    """Defect: bills each co-debtor for the whole amount as a main claim on an account of their own, instead
    of one fordring with every debtor liable on it (solidarisk hæftelse)."""

    name = "foraeldrebetaling-medhaefter-som-egen-fordring"

    def liable(self, case: BillingCase) -> dict[str, Any]:
        return {}

    def co_liable(self, case: BillingCase) -> dict[str, Any]:
        return {}

    def bill(self, case: BillingCase, today: date) -> None:
        super().bill(dataclasses.replace(case, co_debtors=()), today)
        for n, co in enumerate(case.co_debtors, start=1):
            own = dataclasses.replace(case, case_id=f"{case.case_id}-M{n}", debtor=co.party, co_debtors=())
            super().bill(own, today)


class VirksomhedSomPerson(Foraeldrebetaling):
    """Defect: knows only citizens: a company debtor is sent as a person (its CVR in the CPR field)."""

    name = "foraeldrebetaling-virksomhed-som-person"

    def _party(self, case: BillingCase) -> dict[str, Any]:
        if case.debtor.kind == "person":
            return super()._party(case)
        return {"PersonCPRNummer": case.debtor.id, "Navn": case.debtor.name}


class CvrSomSE(Foraeldrebetaling):
    """Defect: fills the SE-number field with the company's CVR number (the inverse SE/CVR mix-up)."""

    name = "foraeldrebetaling-cvr-som-se"

    def _party(self, case: BillingCase) -> dict[str, Any]:
        party = super()._party(case)
        return party | ({"VirksomhedSENummer": case.debtor.id} if "VirksomhedSENummer" in party else {})


# --- what is billed ----------------------------------------------------------------------------------------


class PeriodeTilNaesteMaaned(Foraeldrebetaling):
    """Defect: ends the period on the first day of the next month (off by one across the month end)."""

    name = "foraeldrebetaling-periode-til-naeste-maaned"

    def periode(self, case: BillingCase) -> tuple[date, date]:
        return case.period_from, case.period_to + timedelta(days=1)


class GebyrMedHverRegning(Foraeldrebetaling):
    """Defect: sends a 25 kr opkrævningsgebyr with every bill as a main claim of the service's own type."""

    name = "foraeldrebetaling-gebyr-med-hver-regning"

    def related(self, case: BillingCase, today: date) -> list[dict[str, Any]]:
        fee = self.fordring(case, today)
        return [fee | {"FordringReference": f"GEB-{fee['FordringReference']}", "HovedstolBeløb": 25.0}]


class BeloebIOere(Foraeldrebetaling):
    """Defect: sends the hovedstol in øre (its own database's unit), so ØiR books a hundred times the bill."""

    name = "foraeldrebetaling-beloeb-i-oere"

    def fordring(self, case: BillingCase, today: date) -> dict[str, Any]:
        fordring = super().fordring(case, today)
        return fordring | {"HovedstolBeløb": float(case.amount * 100)}


class ReferencePrDebitor(Foraeldrebetaling):
    """Defect: numbers claims by debtor and service only: next month's bill reuses this month's reference."""

    name = "foraeldrebetaling-reference-pr-debitor"

    def reference(self, case: BillingCase) -> str:
        return f"FB-{case.debtor.id}-{case.service}"[:40]


class NegativOpskrivning(Foraeldrebetaling):
    """Defect: corrects every change as an OpskrivFordring with the signed difference (negative downwards)."""

    name = "foraeldrebetaling-negativ-opskrivning"

    def regulate(self, case: BillingCase, new_amount: Decimal, reason: str, today: date) -> None:
        claim = self.claim_of(case)
        difference = new_amount - claim.amount
        if not difference:
            return
        body = {"FordringReference": claim.reference, "Beløb": float(difference), "Årsag": reason[:100]}
        self._deliver(
            "/service/OIR/DebitorRegistreringAfsend/1/OpskrivFordring",
            {"Hovedoplysninger": self._header(today), "OpskrivFordring": body},
        )
        claim.amount = new_amount


# --- finans and payouts ------------------------------------------------------------------------------------


class DebetKreditByttet(Foraeldrebetaling):
    """Defect: books the income on the debet side and the mellemregning on the kredit side (sign swapped)."""

    name = "foraeldrebetaling-debet-kredit-byttet"

    def finans_linjer(self, case: BillingCase) -> list[dict[str, Any]]:
        swap = {"DEBET": "KREDIT", "KREDIT": "DEBET"}
        return [line | {"DebetKredit": swap[line["DebetKredit"]]} for line in super().finans_linjer(case)]


class MasseSomStraks(Foraeldrebetaling):
    """Defect: asked to book a batch as one masseleverance, it sends every bilag on its own (straks)."""

    name = "foraeldrebetaling-masse-som-straks"

    def post_finans(self, cases: Sequence[BillingCase], today: date, masse: bool) -> None:
        self.finans.post(cases, today, False)


class HenterAldrigMassesvar(Foraeldrebetaling):
    """Defect: fetches a lost straks answer, never a masseleverance's answer (it assumes GODKENDT)."""

    name = "foraeldrebetaling-henter-aldrig-massesvar"

    def post_finans(self, cases: Sequence[BillingCase], today: date, masse: bool) -> None:
        super().post_finans(cases, today, masse)
        if masse:  # forgets the delivery at once: nothing left to fetch in the daily run
            waiting = ("SENDT", "UNDER_BEHANDLING")
            self.finans.sent = {k: v for k, v in self.finans.sent.items() if v.status not in waiting}


class BilagIdPrDebitor(Foraeldrebetaling):
    """Defect: names each finansbilag by its debtor (FB-<CPR>), so a second bill of that debtor reuses it."""

    name = "foraeldrebetaling-bilagid-pr-debitor"

    def finansbilag(self, case: BillingCase, today: date) -> dict[str, Any]:
        return super().finansbilag(case, today) | {"BilagID": f"FB-{case.debtor.id}"}


class BogfoererIYdelsesmaaneden(Foraeldrebetaling):
    """Defect: dates the finansbilag on the first day of the month billed for, not the day it is booked."""

    name = "foraeldrebetaling-bogfoerer-i-ydelsesmaaneden"

    def finansbilag(self, case: BillingCase, today: date) -> dict[str, Any]:
        day = case.period_from.isoformat()
        return super().finansbilag(case, today) | {"Bilagsdato": day, "Bogføringsdato": day}


class OverdragerUnderKlage(Foraeldrebetaling):
    """Defect: its daily run hands over every unpaid claim after SRB, also one paused by a complaint."""

    name = "foraeldrebetaling-overdrager-under-klage"

    def run_daily(self, today: date) -> None:
        paused = [c for c in self.claims if c.state == "BERO"]
        for claim in paused:
            claim.state = "OPKRAEVNING"
        try:
            super().run_daily(today)
        finally:
            for claim in paused:
                claim.state = "BERO"


class UdbetalerToGange(Foraeldrebetaling):
    """Defect: sends every payout request twice (a 'safe' resend with a new EndToEndId): paid twice."""

    name = "foraeldrebetaling-udbetaler-to-gange"

    def pay_out(self, cases: Sequence[BillingCase], today: date) -> None:
        self.nemkonto.pay(cases, today)
        self.nemkonto.pay(cases, today)


# --- lawful, written differently ---------------------------------------------------------------------------


class UuidReferencer(Foraeldrebetaling):
    """Lawful: gives each claim a random reference (kept per case and month), not one made from the case."""

    name = "foraeldrebetaling-uuid-referencer"

    def connect(self, kommune: KommuneConnection) -> None:
        super().connect(kommune)
        self.references: dict[str, str] = {}

    def reference(self, case: BillingCase) -> str:
        key = f"{case.case_id}/{case.period_from:%Y%m}"
        return self.references.setdefault(key, f"U-{uuid.uuid4().hex[:20].upper()}")


class SenderAltidToGange(Foraeldrebetaling):
    """Lawful: posts every ØiR delivery twice with the same TransaktionsID (at-least-once, idempotent)."""

    name = "foraeldrebetaling-sender-altid-to-gange"

    def _deliver(
        self, path: str, message: dict[str, Any], claim: BilledClaim | None = None
    ) -> dict[str, Any] | None:
        first = super()._deliver(path, message, claim)
        second = super()._deliver(path, message, None)
        return second if second is not None else first


class Srb30(Foraeldrebetaling):
    """Lawful: 30 days from forfald to the last timely payment date (a longer SRB policy)."""

    name = "foraeldrebetaling-srb-30"
    srb_days_after_forfald = 30


UDEFRA_BROKEN: dict[str, type[Foraeldrebetaling]] = {
    "ophoer-dag-for-tidligt": OphoerDagForTidligt,
    "klage-annullerer": KlageAnnullerer,
    "indbetaling-to-gange": IndbetalingToGange,
    "betalingsdato-i-dag": BetalingsdatoIDag,
    "overdrager-betalt": OverdragerBetalt,
    "medhaefter-som-egen-fordring": MedhaefterSomEgenFordring,
    "virksomhed-som-person": VirksomhedSomPerson,
    "cvr-som-se": CvrSomSE,
    "periode-til-naeste-maaned": PeriodeTilNaesteMaaned,
    "gebyr-med-hver-regning": GebyrMedHverRegning,
    "beloeb-i-oere": BeloebIOere,
    "reference-pr-debitor": ReferencePrDebitor,
    "negativ-opskrivning": NegativOpskrivning,
    "debet-kredit-byttet": DebetKreditByttet,
    "masse-som-straks": MasseSomStraks,
    "udbetaler-to-gange": UdbetalerToGange,
    "henter-aldrig-massesvar": HenterAldrigMassesvar,
    "bilagid-pr-debitor": BilagIdPrDebitor,
    "bogfoerer-i-ydelsesmaaneden": BogfoererIYdelsesmaaneden,
    "overdrager-under-klage": OverdragerUnderKlage,
    "s2s-klage-som-fejl": S2SKlageSomFejl,
    "s2s-ophoer-som-indbetaling": S2SOphoerSomIndbetaling,
    "s2s-hoering-uden-begrundelse": S2SHoeringUdenBegrundelse,
    "s2s-indb-virkning-i-dag": S2SIndbVirkningIDag,
    "s2s-overdrager-ved-forfald": S2SOverdragerVedForfald,
}
UDEFRA_LAWFUL: dict[str, type[Foraeldrebetaling]] = {
    "s2s-srb-21": S2SSrb21,
    "uuid-referencer": UuidReferencer,
    "sender-altid-to-gange": SenderAltidToGange,
    "srb-30": Srb30,
    "s2s-loebenummer": S2SLoebenummer,
}
"""CLI name → class (merged into `scenarios.fagsystemer.VARIANTS`)."""
