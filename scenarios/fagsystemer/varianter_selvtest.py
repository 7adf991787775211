"""Broken fagsystems for the self-test, one realistic defect each, which a suite must catch for its own reason
(the lawful ones are in `varianter_lovlige.py`; `LAWFUL` is re-exported here).

`LAWFUL` and `BROKEN` map CLI names to classes; `scenarios.fagsystemer.VARIANTS` lists them all (the
reference's own broken variants are in `varianter.py`, the life-of-a-case ones in `varianter_livsforloeb/`).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from testkommune.contracts.driver import KommuneConnection
from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.foraeldrebetaling import (
    FORDRINGSTYPE,
    BilledClaim,
    Foraeldrebetaling,
)
from testkommune.scenarios.fagsystemer.varianter_lovlige import LAWFUL

__all__ = ["BROKEN", "LAWFUL"]

# --- broken: one defect each ---------------------------------------------------------------------------


class RenteSomHovedfordring(Foraeldrebetaling):
    """Defect: sends the interest it charged as a second claim typed like the main claim (a 45 kr KFDAINS)."""

    name = "foraeldrebetaling-rente-som-hovedfordring"

    def related(self, case: BillingCase, today: date) -> list[dict[str, Any]]:
        if "rente" not in case.extra:
            return []
        main = self.fordring(case, today)
        return [
            main
            | {
                "FordringReference": f"REN-{case.case_id}-{case.period_from:%Y%m}",
                "Beskrivelse": f"Rente {main['Beskrivelse']}"[:100],
                "HovedstolBeløb": float(Decimal(case.extra["rente"])),
            }
        ]


class CprIBeskrivelse(Foraeldrebetaling):
    """Defect: writes the debtor's CPR number into the claim's Beskrivelse (free text)."""

    name = "foraeldrebetaling-cpr-i-beskrivelse"

    def fordring(self, case: BillingCase, today: date) -> dict[str, Any]:
        main = super().fordring(case, today)
        return main | {"Beskrivelse": f"{main['Beskrivelse']} ({case.debtor.id})"[:100]}


class NavnIBeskrivelse(Foraeldrebetaling):
    """Defect: writes the person's name into the claim's Beskrivelse (free text)."""

    name = "foraeldrebetaling-navn-i-beskrivelse"

    def fordring(self, case: BillingCase, today: date) -> dict[str, Any]:
        main = super().fordring(case, today)
        return main | {"Beskrivelse": f"{main['Beskrivelse']} {case.debtor.name}"[:100]}


class SrbFoerForfald(Foraeldrebetaling):
    """Defect: computes the last timely payment date backwards, three days before forfald."""

    name = "foraeldrebetaling-srb-foer-forfald"
    srb_days_after_forfald = -3


class TransaktionsIDPrDag(Foraeldrebetaling):
    """Defect: derives the TransaktionsID from the kommune and the day, so a second delivery that day reuses
    it with other content (ØiR refuses: OIR-TRANSAKTIONSID-GENBRUGT)."""

    name = "foraeldrebetaling-transaktionsid-pr-dag"

    def _header(self, today: date) -> dict[str, str]:
        header = super()._header(today)
        assert self.kommune is not None, "connect() first"
        fixed = uuid.uuid5(uuid.NAMESPACE_URL, f"{self.kommune.kommune}/{today.isoformat()}")
        return header | {"TransaktionsID": str(fixed)}


class OverdragerAldrig(Foraeldrebetaling):
    """Defect: never asks for hand-over of an unpaid claim: it stays in opkrævning past the window."""

    name = "foraeldrebetaling-overdrager-aldrig"

    def overdue(self, claim: BilledClaim, today: date) -> bool:
        return False


class BogfoererIkke(Foraeldrebetaling):
    """Defect: takes the finans step but never delivers a finansbilag to the ERP."""

    name = "foraeldrebetaling-bogfoerer-ikke"

    def post_finans(self, cases: Sequence[BillingCase], today: date, masse: bool) -> None:
        return None


class BilagToGange(Foraeldrebetaling):
    """Defect: books each billing twice, the second time as a new bilag with a new BilagID."""

    name = "foraeldrebetaling-bilag-to-gange"

    def post_finans(self, cases: Sequence[BillingCase], today: date, masse: bool) -> None:
        super().post_finans(cases, today, masse)
        again = [dataclasses.replace(c, case_id=f"{c.case_id}-2") for c in cases]
        super().post_finans(again, today, masse)


class UdbetalerForLidt(Foraeldrebetaling):
    """Defect: pays out one krone less than the case's amount (a rounding of its own)."""

    name = "foraeldrebetaling-udbetaler-for-lidt"

    def pay_out(self, cases: Sequence[BillingCase], today: date) -> None:
        super().pay_out([dataclasses.replace(c, amount=c.amount - 1) for c in cases], today)


class HeleKroner(Foraeldrebetaling):
    """Defect: sends the hovedstol rounded down to whole kroner."""

    name = "foraeldrebetaling-hele-kroner"

    def fordring(self, case: BillingCase, today: date) -> dict[str, Any]:
        return super().fordring(case, today) | {"HovedstolBeløb": float(int(case.amount))}


class UdenBeskrivelse(Foraeldrebetaling):
    """Defect: leaves out the Beskrivelse, which a debitor system may insist on (profile DEB-B)."""

    name = "foraeldrebetaling-uden-beskrivelse"

    def fordring(self, case: BillingCase, today: date) -> dict[str, Any]:
        return {k: v for k, v in super().fordring(case, today).items() if k != "Beskrivelse"}


class PeriodeForLang(Foraeldrebetaling):
    """Defect: bills a month of day care with a period running to the end of the following month."""

    name = "foraeldrebetaling-periode-for-lang"

    def periode(self, case: BillingCase) -> tuple[date, date]:
        return case.period_from, case.period_to + timedelta(days=30)


class AltidNedskrivning(Foraeldrebetaling):
    """Defect: corrects every change of amount as a write-down, also when the new amount is higher."""

    name = "foraeldrebetaling-altid-nedskrivning"

    def _deliver(
        self, path: str, message: dict[str, Any], claim: BilledClaim | None = None
    ) -> dict[str, Any] | None:
        if path.endswith("/OpskrivFordring"):
            body = message.pop("OpskrivFordring")
            message = message | {"NedskrivFordring": body}
            path = path.replace("/OpskrivFordring", "/NedskrivFordring")
        return super()._deliver(path, message, claim)


class NedskriverNytBeloeb(Foraeldrebetaling):
    """Defect: writes a corrected claim down by the new amount, not by the difference."""

    name = "foraeldrebetaling-nedskriver-nyt-beloeb"

    def correct(self, case: BillingCase, today: date) -> None:
        self.new_amount = case.amount
        super().correct(case, today)

    def _deliver(
        self, path: str, message: dict[str, Any], claim: BilledClaim | None = None
    ) -> dict[str, Any] | None:
        for operation in ("NedskrivFordring", "OpskrivFordring"):
            if operation in message:
                message = message | {operation: message[operation] | {"Beløb": float(self.new_amount)}}
        return super()._deliver(path, message, claim)


class SfoSomDaginstitution(Foraeldrebetaling):
    """Defect: maps after-school care (SFO) to the day-care fordringstype KFDAINS."""

    name = "foraeldrebetaling-sfo-som-daginstitution"

    def fordringstype(self, case: BillingCase) -> str:
        return FORDRINGSTYPE["daginstitution"] if case.service == "sfo" else super().fordringstype(case)


class GebyrIHovedstol(Foraeldrebetaling):
    """Defect: adds the fee it charged to the hovedstol of the main claim."""

    name = "foraeldrebetaling-gebyr-i-hovedstol"

    def fordring(self, case: BillingCase, today: date) -> dict[str, Any]:
        main = super().fordring(case, today)
        fee = Decimal(case.extra.get("gebyr", "0"))
        return main | {"HovedstolBeløb": float(case.amount + fee)}


class UdenSENummer(Foraeldrebetaling):
    """Defect: names a company debtor by its CVR number only, leaving out the SE number of its unit."""

    name = "foraeldrebetaling-uden-se-nummer"

    def _party(self, case: BillingCase) -> dict[str, Any]:
        return {k: v for k, v in super()._party(case).items() if k != "VirksomhedSENummer"}


class KontoTypeVirksomhed(Foraeldrebetaling):
    """Defect: opens every debtor account as a company account (DebitorkontoType VIRKSOMHED)."""

    name = "foraeldrebetaling-kontotype-virksomhed"

    def _deliver(
        self, path: str, message: dict[str, Any], claim: BilledClaim | None = None
    ) -> dict[str, Any] | None:
        if "OpretDebitorkonto" in message:
            body = message["OpretDebitorkonto"]
            spec = body["DebitorkontoSpecifikation"] | {"DebitorkontoType": "VIRKSOMHED"}
            message = message | {"OpretDebitorkonto": body | {"DebitorkontoSpecifikation": spec}}
        return super()._deliver(path, message, claim)


class ValutaEuro(Foraeldrebetaling):
    """Defect: sends the amount in kroner but marks it as euro (ValutaKode EUR)."""

    name = "foraeldrebetaling-valuta-euro"

    def fordring(self, case: BillingCase, today: date) -> dict[str, Any]:
        return super().fordring(case, today) | {"ValutaKode": "EUR"}


class FakturererNaesteMaaned(Foraeldrebetaling):
    """Defect: bills the following month on its own in the daily run, a claim nobody asked for."""

    name = "foraeldrebetaling-fakturerer-naeste-maaned"

    def connect(self, kommune: KommuneConnection) -> None:
        super().connect(kommune)
        self.billed_cases: list[BillingCase] = []

    def bill(self, case: BillingCase, today: date) -> None:
        super().bill(case, today)
        self.billed_cases.append(case)

    def run_daily(self, today: date) -> None:
        super().run_daily(today)
        waiting, self.billed_cases = self.billed_cases, []
        for case in waiting:
            start = case.period_to + timedelta(days=1)
            end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            following = dataclasses.replace(case, period_from=start, period_to=end)
            super().bill(dataclasses.replace(following, case_id=f"{case.case_id}-N"), today)


class OpdigtetDomsdato(Foraeldrebetaling):
    """Defect: fills in a judgment date (DomDato) for damages when it knows none (the day it bills), passing
    a claim with no judgment as if it had one; PSRM refuses the invented date."""

    name = "foraeldrebetaling-opdigtet-domsdato"

    def fordring(self, case: BillingCase, today: date) -> dict[str, Any]:
        main = super().fordring(case, today)
        return main | ({"DomDato": main["StiftelseDato"]} if case.service == "erstatning" else {})


class ForkertKontostreng(Foraeldrebetaling):
    """Defect: books day-care income on the kindergarten line of the sortiment (another kontostreng)."""

    name = "foraeldrebetaling-forkert-kontostreng"

    def finans_linjer(self, case: BillingCase) -> list[dict[str, Any]]:
        lines = super().finans_linjer(case)
        lines[1] = lines[1] | {"Sortiment": lines[1]["Sortiment"] | {"Ydelsestype": "BOERNEHAVE"}}
        return lines


class KraeverAdresse(Foraeldrebetaling):
    """Defect: cannot bill a citizen with no fixed address; its billing raises instead."""

    name = "foraeldrebetaling-kraever-adresse"

    def _party(self, case: BillingCase) -> dict[str, Any]:
        if case.debtor.kind == "person" and case.debtor.address is None:
            raise ValueError(f"debtor {case.case_id} has no address")
        return super()._party(case)


class UdenDomsdato(Foraeldrebetaling):
    """Defect: leaves out the judgment date (DomDato) of a damages claim, though the case has one."""

    name = "foraeldrebetaling-uden-domsdato"

    def fordring(self, case: BillingCase, today: date) -> dict[str, Any]:
        return {k: v for k, v in super().fordring(case, today).items() if k != "DomDato"}


class UgyldigCPR(Foraeldrebetaling):
    """Defect: overwrites the day of a CPR number with 00, giving a birth date that does not exist."""

    name = "foraeldrebetaling-ugyldig-cpr"

    def _party(self, case: BillingCase) -> dict[str, Any]:
        party = super()._party(case)
        if "PersonCPRNummer" in party:
            party["PersonCPRNummer"] = "00" + party["PersonCPRNummer"][2:]
        return party


BROKEN: dict[str, type[Foraeldrebetaling]] = {
    "rente-som-hovedfordring": RenteSomHovedfordring,
    "cpr-i-beskrivelse": CprIBeskrivelse,
    "navn-i-beskrivelse": NavnIBeskrivelse,
    "srb-foer-forfald": SrbFoerForfald,
    "transaktionsid-pr-dag": TransaktionsIDPrDag,
    "overdrager-aldrig": OverdragerAldrig,
    "bogfoerer-ikke": BogfoererIkke,
    "bilag-to-gange": BilagToGange,
    "udbetaler-for-lidt": UdbetalerForLidt,
    "hele-kroner": HeleKroner,
    "uden-beskrivelse": UdenBeskrivelse,
    "periode-for-lang": PeriodeForLang,
    "altid-nedskrivning": AltidNedskrivning,
    "nedskriver-nyt-beloeb": NedskriverNytBeloeb,
    "sfo-som-daginstitution": SfoSomDaginstitution,
    "gebyr-i-hovedstol": GebyrIHovedstol,
    "uden-se-nummer": UdenSENummer,
    "kontotype-virksomhed": KontoTypeVirksomhed,
    "valuta-euro": ValutaEuro,
    "fakturerer-naeste-maaned": FakturererNaesteMaaned,
    "opdigtet-domsdato": OpdigtetDomsdato,
    "forkert-kontostreng": ForkertKontostreng,
    "kraever-adresse": KraeverAdresse,
    "uden-domsdato": UdenDomsdato,
    "ugyldig-cpr": UgyldigCPR,
}
