"""Broken variants of the reference fagsystem: each changes one realistic thing of billing, hand-over,
finans, robustness or the debitor register (the life-of-a-case variants are in `varianter_livsforloeb/`)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from typing import Any, ClassVar

from testkommune.contracts.driver import KommuneConnection
from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.finans import FinansClient
from testkommune.scenarios.fagsystemer.foraeldrebetaling import BilledClaim, Foraeldrebetaling


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


class _MasseAntagetBogfoert(FinansClient):
    """Takes a masseleverance the ERP still has under behandling as booked."""

    def _record(self, tid: str, answers: list[dict[str, Any]]) -> None:
        super()._record(tid, answers)
        for record in self.sent.values():
            if record.transaktions_id == tid and record.status == "UNDER_BEHANDLING":
                record.status = "GODKENDT"


class AntagerMasseBogfoert(Foraeldrebetaling):
    """Defect: fetches a masseleverance's answer once, at its next daily run, and takes a bilag still under
    behandling as booked, relying on the ERP to have processed it by then; an ERP whose profile processes
    masse later (erpprofiler.json) never has its real answer read (oeir.md §4.1, §5)."""

    name = "foraeldrebetaling-antager-masse-bogfoert"

    def connect(self, kommune: KommuneConnection) -> None:
        super().connect(kommune)
        self.finans = _MasseAntagetBogfoert(self)
