"""Defect: names a payout by its case alone, so a second payout on the same case reuses the EndToEndId."""

from __future__ import annotations

from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling


class GenbrugerEndToEndId(Foraeldrebetaling):
    """Defect: names a payout by its case alone, so a second payout on the same case reuses the EndToEndId."""

    name = "foraeldrebetaling-genbruger-endtoendid"

    def end_to_end_id(self, case: BillingCase, nth: int) -> str:
        return f"U-{case.case_id}"[:27]
