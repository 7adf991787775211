"""A broken variant of the reference in the direct role (psrm-s2s); its defect is in the class docstring."""

from __future__ import annotations

from datetime import date

from testkommune.scenarios.fagsystemer.s2s import ForaeldrebetalingS2S, OwnClaim


class GenindsenderEfterFejl(ForaeldrebetalingS2S):
    """Defect: recalls a claim the debtor complains about with FEJL instead of KLAG, and re-submits it when
    the complaint is rejected (a FEJL recall is final, psrm.md §6.3-6.4, 602)."""

    name = "foraeldrebetaling-s2s-genindsender-efter-fejl"

    def recall(self, claim: OwnClaim, reason: str, today: date) -> None:
        super().recall(claim, "FEJL", today)
