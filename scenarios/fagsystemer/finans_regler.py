"""The reference fagsystem's finans rules (SF1590_A): its bilag, their lines, and how it corrects a rejected
bilag at the source. The FinansClient (finans.py) delivers them; the broken variants change one rule."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from testkommune.contracts.driver import KommuneConnection
from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.katalog import DATALEVERANDOER, MONTHS, SORTIMENT


class FinansRegler:
    """Mixin of the reference fagsystem: what it books in the kommune's ERP for a billed case."""

    kommune: KommuneConnection | None

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
