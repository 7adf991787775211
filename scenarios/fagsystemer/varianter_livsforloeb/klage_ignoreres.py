"""Defect: a complaint with suspensive effect does not stop collection: the claim is handed over to PSRM
while the complaint is being decided."""

from __future__ import annotations

from datetime import date

from testkommune.contracts.events import ComplaintReceived
from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling


class KlageIgnoreres(Foraeldrebetaling):
    """Defect: a complaint with suspensive effect does not stop collection: the claim is handed over to PSRM
    while the complaint is being decided."""

    name = "foraeldrebetaling-klage-ignoreres"

    def complaint_received(self, case: BillingCase, event: ComplaintReceived, today: date) -> None:
        return None
