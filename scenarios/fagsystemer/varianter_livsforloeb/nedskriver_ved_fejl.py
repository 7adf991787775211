"""Defect: a claim raised in error is written down to nothing but left under opkrævning (never cancelled),
so it lives on in the debitor system as if it were a lawful claim paid in full."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from testkommune.contracts.events import RaisedInError
from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling


class NedskriverVedFejl(Foraeldrebetaling):
    """Defect: a claim raised in error is written down to nothing but left under opkrævning (never cancelled),
    so it lives on in the debitor system as if it were a lawful claim paid in full."""

    name = "foraeldrebetaling-nedskriver-ved-fejl"

    def raised_in_error(self, case: BillingCase, event: RaisedInError, today: date) -> None:
        self.regulate(case, Decimal("0.00"), "Rejst ved en fejl", today)
