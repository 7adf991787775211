"""Defect: a payment the debtor made to the kommune directly is never registered on the claim."""

from __future__ import annotations

from datetime import date

from testkommune.contracts.events import DebtorPaid
from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling


class DirekteBetalingIgnoreres(Foraeldrebetaling):
    """Defect: a payment the debtor made to the kommune directly is never registered on the claim."""

    name = "foraeldrebetaling-direkte-betaling-ignoreres"

    def debtor_paid(self, case: BillingCase, event: DebtorPaid, today: date) -> None:
        return None
