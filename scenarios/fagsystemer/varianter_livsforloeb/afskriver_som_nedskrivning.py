"""Defect: writes a claim off by writing it down to nothing (as if it had never been owed) instead of
ending it in the debitor system."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from testkommune.contracts.events import WrittenOff
from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling


class AfskriverSomNedskrivning(Foraeldrebetaling):
    """Defect: writes a claim off by writing it down to nothing (as if it had never been owed) instead of
    ending it in the debitor system."""

    name = "foraeldrebetaling-afskriver-som-nedskrivning"

    def written_off(self, case: BillingCase, event: WrittenOff, today: date) -> None:
        self.regulate(case, Decimal("0.00"), "Afskrevet", today)
