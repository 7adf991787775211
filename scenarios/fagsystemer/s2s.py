"""The reference fagsystem in the direct role: it is its own claimant toward PSRM (system to system).

It runs its own opkrævning: a bill stays in its books until the SRB has passed; then, if anything is still
owed, it hands the claim to PSRM itself (OPRETFORDRING, every liable debtor a hæftelse). After that each
business event is the PSRM action psrm.md §6 prescribes: a write-down with its årsagskode (REGU without a
virkningsdato; INDB with the payment date), a write-up (OPSKRIVNINGREGULERING), a recall with its årsagskode
(FEJL for a claim raised in error or a complaint upheld, KLAG while a complaint is decided), a re-submission
after KLAG (GENINDSENDFORDRING with the original stamdata), and an answer to PSRM's hearing. Before hand-over
the events only change its own books. A write-off is not an action a claimant sends PSRM: not declared.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import requests
from testkommune.contracts.driver import ConformanceStatement, KommuneConnection
from testkommune.contracts.events import (
    AmountCorrected,
    ComplaintDecided,
    ComplaintReceived,
    DebtorPaid,
    HearingToAnswer,
    PriceRegulated,
    RaisedInError,
    ServiceEnded,
)
from testkommune.contracts.model import BillingCase, Party
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling
from testkommune.scenarios.fagsystemer.livsforloeb import pro_rata
from testkommune.scenarios.fagsystemer.psrm_client import PsrmClient, SentAction

S2S_EVENTS = frozenset(
    {
        "pay_out",
        "amount_corrected",
        "service_ended",
        "price_regulated",
        "raised_in_error",
        "complaint_received",
        "complaint_decided",
        "debtor_paid",
        "hearing_to_answer",
        "co_debtors",
        "payout_series",
    }
)


@dataclass
class OwnClaim:
    """A claim in the fagsystem's own books, and where it went at PSRM."""

    case: BillingCase
    struct: dict[str, Any]  # its MFOpretFordringStruktur (kept: a re-submission repeats the stamdata)
    srb: date
    amount: Decimal
    restance: Decimal
    state: str = "OPKRAEVNING"  # OPKRAEVNING, BERO, AFSLUTTET (own books); PSRM once handed over
    created: SentAction | None = None  # the OPRETFORDRING or GENINDSENDFORDRING that put it at PSRM

    @property
    def fordring_id(self) -> str | None:
        return self.created.fordring_id if self.created else None


class ForaeldrebetalingS2S(Foraeldrebetaling):
    """Reference fagsystem in the direct role (psrm-s2s)."""

    name = "foraeldrebetaling-s2s"
    conformance = ConformanceStatement("psrm-s2s", S2S_EVENTS)

    def __init__(self, session: requests.Session | None = None) -> None:
        super().__init__(session)
        self.own: dict[str, OwnClaim] = {}
        self.psrm: PsrmClient | None = None

    def connect(self, kommune: KommuneConnection) -> None:
        super().connect(kommune)
        self.own = {}
        self.psrm = PsrmClient(self.session, kommune)

    def bill(self, case: BillingCase, today: date) -> None:
        """The bill goes to the debtor from the fagsystem itself; PSRM hears of it only if it is not paid."""
        fordring = self.fordring(case, today)
        self.own[case.case_id] = OwnClaim(
            case,
            self.opret_struktur(case, fordring),
            date.fromisoformat(fordring["SidsteRettidigeBetalingDato"]),
            case.amount,
            case.amount,
        )

    def run_daily(self, today: date) -> None:
        assert self.psrm is not None, "connect() first"
        self.nemkonto.daily(today)
        self.psrm.fetch_receipts()
        for claim in self.own.values():
            if claim.state == "OPKRAEVNING" and today > claim.srb and claim.restance > 0:
                self.hand_over(claim, today)

    def hand_over(self, claim: OwnClaim, today: date) -> None:
        struct = copy.deepcopy(claim.struct)
        struct["FordringBeløbStruktur"]["DMIFordringBeløb"] = float(claim.restance)
        struct["FordringOprindeligBeløbStruktur"]["EFIFordringOprindeligBeløb"] = float(claim.amount)
        claim.struct = struct
        body = {"MFOpretFordringStruktur": struct}
        claim.created = self._send("OPRETFORDRING", "OpretFordringAktion", body, today)
        claim.state = "PSRM"

    # -- business events ------------------------------------------------------------------------------
    def amount_corrected(self, case: BillingCase, event: AmountCorrected, today: date) -> None:
        self.regulate(case, event.amount, event.reason, today)

    def service_ended(self, case: BillingCase, event: ServiceEnded, today: date) -> None:
        owed = pro_rata(case.amount, case.period_from, case.period_to, event.last_day)
        self.regulate(case, owed, "ophoer", today)

    def price_regulated(self, case: BillingCase, event: PriceRegulated, today: date) -> None:
        self.regulate(case, event.amount, "regulering", today)

    def regulate(self, case: BillingCase, new_amount: Decimal, reason: str, today: date) -> None:
        """At PSRM: a REGU write-down (its virkningsdato is the claim's receipt: never sent) or a write-up."""
        claim = self.own[case.case_id]
        difference = new_amount - claim.amount
        claim.amount, claim.restance = new_amount, claim.restance + difference
        if not difference or claim.state != "PSRM":
            return
        if difference < 0:
            self.write_down(claim, -difference, "REGU", None, today)
        else:
            beloeb = {"ValutaKode": "DKK", "FordringOpskrivningBeløb": float(difference)}
            body = {"DMIFordringEFIFordringID": claim.fordring_id, "OpskrivningBeløbStruktur": beloeb}
            self._send("OPSKRIVNINGREGULERING", "MFOpskrivningReguleringStruktur", body, today)

    def debtor_paid(self, case: BillingCase, event: DebtorPaid, today: date) -> None:
        """At PSRM: an INDB write-down whose virkningsdato is the day the debtor paid (psrm.md §6.1)."""
        claim = self.own[case.case_id]
        claim.restance -= event.amount
        if claim.state == "PSRM":
            self.write_down(claim, event.amount, "INDB", event.paid_on, today)

    def write_down(
        self, claim: OwnClaim, amount: Decimal, reason: str, virkning: date | None, today: date
    ) -> None:
        body: dict[str, Any] = {
            "DMIFordringEFIFordringID": claim.fordring_id,
            "NedskrivningÅrsagStruktur": {"FordringNedskrivningÅrsagKode": reason},
            "NedskrivningBeløbStruktur": {"ValutaKode": "DKK", "FordringNedskrivningBeløb": float(amount)},
        }
        if virkning is not None:
            body["FordringNedskrivningVirkningFra"] = virkning.isoformat()
        self._send("NEDSKRIV", "MFNedskrivFordringStruktur", body, today)

    def raised_in_error(self, case: BillingCase, event: RaisedInError, today: date) -> None:
        self.end(self.own[case.case_id], today)

    def complaint_received(self, case: BillingCase, event: ComplaintReceived, today: date) -> None:
        claim = self.own[case.case_id]
        if claim.state == "PSRM":
            self.recall(claim, "KLAG", today)
        claim.state = "BERO"

    def complaint_decided(self, case: BillingCase, event: ComplaintDecided, today: date) -> None:
        claim = self.own[case.case_id]
        if event.upheld:
            self.end(claim, today)
        elif claim.created is not None:  # recalled with KLAG: send it back with the same stamdata
            self.resubmit(claim, today)
        else:
            claim.state = "OPKRAEVNING"

    def end(self, claim: OwnClaim, today: date) -> None:
        """The debtor owes nothing: recall a claim at PSRM with FEJL (no virkningsdato), else close it."""
        if claim.created is not None:
            self.recall(claim, "FEJL", today)
        claim.state, claim.restance = "AFSLUTTET", Decimal(0)

    def recall(self, claim: OwnClaim, reason: str, today: date) -> None:
        body = {
            "DMIFordringEFIFordringID": claim.fordring_id,
            "HovedFordringTilbagekaldÅrsagStruktur": {"HovedFordringTilbageÅrsagKode": reason},
        }
        self._send("TILBAGEKALD", "MFTilbagekaldFordringStruktur", body, today)

    def resubmit(self, claim: OwnClaim, today: date) -> None:
        """GENINDSENDFORDRING after a KLAG recall: the original claim id and the original stamdata, and the
        inddrivelsesrente accrued before the recall as REINDGI (its dates empty, psrm.md §6.4)."""
        assert self.psrm is not None, "connect() first"
        body: dict[str, Any] = {
            "DMIFordringEFIFordringID": claim.fordring_id,
            "MFOpretFordringStruktur": claim.struct,
        }
        since = max(claim.srb, date.fromordinal(today.toordinal() - 85))  # notifications reach 3 months back
        interest = self.psrm.interest(claim.fordring_id, since, today)
        if interest > 0:
            reindgi = self.reindgi(claim, interest)
            body["OpretUnderfordringSamling"] = {"MFOpretRelateretFordringStruktur": [reindgi]}
        claim.created = self._send("GENINDSENDFORDRING", "MFGenindsendFordringStruktur", body, today)
        claim.state = "PSRM"

    def reindgi(self, claim: OwnClaim, interest: Decimal) -> dict[str, Any]:
        """Interest accrued under inddrivelse before a recall, re-submitted as a related claim of its own."""
        main = claim.struct
        amount = float(interest)
        return {
            "DMIFordringFordringArtKode": main["DMIFordringFordringArtKode"],
            "DMIFordringTypeKode": "REINDGI",
            "DMIFordringFordringHaverRef": f"{main['DMIFordringFordringHaverRef']}-R",
            "FordringBeløbStruktur": {"ValutaKode": "DKK", "DMIFordringBeløb": amount},
            "FordringOprindeligBeløbStruktur": {"ValutaKode": "DKK", "EFIFordringOprindeligBeløb": amount},
            "FordringPeriodeStruktur": main["FordringPeriodeStruktur"],
            "FordringHæftelseSamling": main["FordringHæftelseSamling"],
        }

    def hearing_to_answer(self, case: BillingCase, event: HearingToAnswer, today: date) -> None:
        """Answer the hearing PSRM put the claim in (found from the receipts), as the event says."""
        assert self.psrm is not None, "connect() first"
        self.psrm.fetch_receipts()
        claim = self.own[case.case_id]
        if claim.created is not None and claim.created.hearing:
            self.psrm.answer_hearing(claim.created, event.approve, event.justification)

    # -- the claim as PSRM wants it ------------------------------------------------------------------
    def opret_struktur(self, case: BillingCase, fordring: dict[str, Any]) -> dict[str, Any]:
        """MFOpretFordringStruktur of the fordring the fagsystem would bill (psrm.md §2.2, §4.1)."""
        amount = {"ValutaKode": "DKK", "DMIFordringBeløb": float(case.amount)}
        return {
            "DMIFordringFordringArtKode": "INDR",
            "DMIFordringTypeKode": fordring["FordringstypeKode"],
            "DMIFordringFordringHaverRef": fordring["FordringReference"],
            "FordringBeskrivelse": fordring["Beskrivelse"],
            "DMIFordringStiftelseTidspunkt": fordring["StiftelseDato"],
            "DMIFordringForfaldDato": fordring["ForfaldDato"],
            "DMIFordringSRBDato": fordring["SidsteRettidigeBetalingDato"],
            "FordringBeløbStruktur": amount,
            "FordringOprindeligBeløbStruktur": {
                "ValutaKode": "DKK",
                "EFIFordringOprindeligBeløb": float(case.amount),
            },
            "FordringPeriodeStruktur": {
                "DMIFordringPeriodeFraDato": fordring["PeriodeFraDato"],
                "DMIFordringPeriodeTilDato": fordring["PeriodeTilDato"],
            },
            "FordringHæftelseSamling": {
                "MFHæftelseStruktur": [self.haeftelse(p, fordring) for p in self.haeftere(case)]
            },
        }

    def haeftere(self, case: BillingCase) -> tuple[Party, ...]:
        """Every liable debtor: all of them are reported together at submission (psrm.md §4.3)."""
        return case.debtors

    def haeftelse(self, party: Party, fordring: dict[str, Any]) -> dict[str, Any]:
        key = "PersonCPRNummer" if party.kind == "person" else "VirksomhedCVRNummer"
        out: dict[str, Any] = {"MFKundeStruktur": {"Valg": {key: party.id}}}
        out["HæftelseForældelseDato"] = fordring["ForældelseDato"]
        if "DomDato" in fordring:
            out |= {"HæftelseDom": True, "HæftelseDomDato": fordring["DomDato"]}
        return out

    def _send(self, kode: str, struktur: str, body: dict[str, Any], today: date) -> SentAction:
        assert self.psrm is not None, "connect() first"
        return self.psrm.send(kode, struktur, body, today)
