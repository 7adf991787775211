"""Defect: puts a co-debtor on the account as JuridiskMedhæfter but names no hæftelse on the fordring, so
only the main debtor is liable for it."""

from __future__ import annotations

from typing import Any

from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling


class MedhaefterKunPaaKonto(Foraeldrebetaling):
    """Defect: puts a co-debtor on the account as JuridiskMedhæfter but names no hæftelse on the fordring, so
    only the main debtor is liable for it."""

    name = "foraeldrebetaling-medhaefter-kun-paa-konto"

    def liable(self, case: BillingCase) -> dict[str, Any]:
        return {}
