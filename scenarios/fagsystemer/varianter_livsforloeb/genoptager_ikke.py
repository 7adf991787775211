"""Defect: a rejected complaint never resumes collection: the claim stays in bero for good."""

from __future__ import annotations

from datetime import date

from testkommune.contracts.events import ComplaintDecided
from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling


class GenoptagerIkke(Foraeldrebetaling):
    """Defect: a rejected complaint never resumes collection: the claim stays in bero for good."""

    name = "foraeldrebetaling-genoptager-ikke"

    def complaint_decided(self, case: BillingCase, event: ComplaintDecided, today: date) -> None:
        if event.upheld:
            super().complaint_decided(case, event, today)
