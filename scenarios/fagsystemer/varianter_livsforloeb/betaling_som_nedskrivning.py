"""Defect: registers a payment the debtor made directly as a write-down of the fordring, so the principal
shrinks as if less had ever been owed, and no payment is booked."""

from __future__ import annotations

from datetime import date

from testkommune.contracts.events import DebtorPaid
from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling


class BetalingSomNedskrivning(Foraeldrebetaling):
    """Defect: registers a payment the debtor made directly as a write-down of the fordring, so the principal
    shrinks as if less had ever been owed, and no payment is booked."""

    name = "foraeldrebetaling-betaling-som-nedskrivning"

    def debtor_paid(self, case: BillingCase, event: DebtorPaid, today: date) -> None:
        claim = self.claim_of(case)
        self.regulate(case, claim.amount - event.amount, "Indbetalt direkte", today)
