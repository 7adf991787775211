"""Defect: can only write a fordring down; a correction upwards is silently dropped."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling


class OpskriverIkke(Foraeldrebetaling):
    """Defect: can only write a fordring down; a correction upwards is silently dropped."""

    name = "foraeldrebetaling-opskriver-ikke"

    def regulate(self, case: BillingCase, new_amount: Decimal, reason: str, today: date) -> None:
        if new_amount < self.claim_of(case).amount:
            super().regulate(case, new_amount, reason, today)
