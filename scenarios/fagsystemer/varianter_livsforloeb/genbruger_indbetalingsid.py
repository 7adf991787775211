"""A broken variant of the reference (ØiR role); its defect is in the class docstring."""

from __future__ import annotations

from testkommune.contracts.events import DebtorPaid
from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling


class GenbrugerIndbetalingsId(Foraeldrebetaling):
    """Defect: names a direct payment by its case, so the debtor's second instalment looks like the first one
    registered again and is booked once only."""

    name = "foraeldrebetaling-genbruger-indbetalingsid"

    def payment_id(self, case: BillingCase, event: DebtorPaid) -> str:
        return f"IB-{case.case_id}"
