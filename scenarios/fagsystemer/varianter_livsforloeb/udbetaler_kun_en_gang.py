"""A broken variant of the reference (ØiR role); its defect is in the class docstring."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling


class UdbetalerKunEnGang(Foraeldrebetaling):
    """Defect: guards against double payouts by paying each case at most once, so a second payout in a series
    never leaves."""

    name = "foraeldrebetaling-udbetaler-kun-en-gang"

    def pay_out(self, cases: Sequence[BillingCase], today: date) -> None:
        new = [c for c in cases if c.case_id not in self.nemkonto.payouts]
        if new:
            super().pay_out(new, today)
