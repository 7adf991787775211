"""A broken variant of the reference (ØiR role); its defect is in the class docstring."""

from __future__ import annotations

from typing import Any

from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling


class MedhaefterSomPartner(Foraeldrebetaling):
    """Defect: registers a co-liable parent, spouse or owner as Ligestillingspartner on the account, a role
    that carries no liability for the fordring."""

    name = "foraeldrebetaling-medhaefter-som-partner"

    def liable(self, case: BillingCase) -> dict[str, Any]:
        return {}

    def co_liable(self, case: BillingCase) -> dict[str, Any]:
        parts = super().co_liable(case).get("JuridiskMedhæfter", [])
        return {"Ligestillingspartner": parts} if parts else {}
