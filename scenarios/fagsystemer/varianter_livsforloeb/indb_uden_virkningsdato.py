"""A broken variant of the reference in the direct role (psrm-s2s); its defect is in the class docstring."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from testkommune.scenarios.fagsystemer.s2s import ForaeldrebetalingS2S, OwnClaim


class IndbUdenVirkningsdato(ForaeldrebetalingS2S):
    """Defect: writes a direct payment down as INDB without a virkningsdato (the payment date is mandatory,
    psrm.md §6.1, 409)."""

    name = "foraeldrebetaling-s2s-indb-uden-virkningsdato"

    def write_down(
        self, claim: OwnClaim, amount: Decimal, reason: str, virkning: date | None, today: date
    ) -> None:
        super().write_down(claim, amount, reason, None, today)
