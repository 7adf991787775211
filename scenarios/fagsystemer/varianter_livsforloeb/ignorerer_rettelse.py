"""Defect: takes the corrected amount into its own books but never tells the debitor system."""

from __future__ import annotations

from datetime import date

from testkommune.contracts.events import AmountCorrected
from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling


class IgnorererRettelse(Foraeldrebetaling):
    """Defect: takes the corrected amount into its own books but never tells the debitor system."""

    name = "foraeldrebetaling-ignorerer-rettelse"

    def amount_corrected(self, case: BillingCase, event: AmountCorrected, today: date) -> None:
        self.claim_of(case).amount = event.amount
