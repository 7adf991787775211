"""A broken variant of the reference in the direct role (psrm-s2s); its defect is in the class docstring."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from testkommune.scenarios.fagsystemer.s2s import ForaeldrebetalingS2S, OwnClaim


class ReguMedVirkningsdato(ForaeldrebetalingS2S):
    """Defect: sends a REGU write-down with today as virkningsdato (REGU takes the claim's receipt date: none
    may be sent, psrm.md §6.1, 519)."""

    name = "foraeldrebetaling-s2s-regu-med-virkningsdato"

    def write_down(
        self, claim: OwnClaim, amount: Decimal, reason: str, virkning: date | None, today: date
    ) -> None:
        super().write_down(claim, amount, reason, virkning or today, today)
