"""Defect: knows only one debtor per case; a co-liable parent, spouse or owner is never registered."""

from __future__ import annotations

from typing import Any

from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling


class MedhaefterGlemmes(Foraeldrebetaling):
    """Defect: knows only one debtor per case; a co-liable parent, spouse or owner is never registered."""

    name = "foraeldrebetaling-medhaefter-glemmes"

    def liable(self, case: BillingCase) -> dict[str, Any]:
        return {}

    def co_liable(self, case: BillingCase) -> dict[str, Any]:
        return {}
