"""Defect: when a place ends mid-month, writes the whole month down instead of the days after the end."""

from __future__ import annotations

from datetime import date

from testkommune.contracts.events import ServiceEnded
from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling


class OphoerHeleMaaneden(Foraeldrebetaling):
    """Defect: when a place ends mid-month, writes the whole month down instead of the days after the end."""

    name = "foraeldrebetaling-ophoer-hele-maaneden"

    def service_ended(self, case: BillingCase, event: ServiceEnded, today: date) -> None:
        claim = self.claim_of(case)
        self.regulate(case, claim.amount - claim.amount, "Ophør af plads", today)
