"""A broken variant of the reference in the direct role (psrm-s2s); its defect is in the class docstring."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from testkommune.scenarios.fagsystemer.s2s import ForaeldrebetalingS2S, OwnClaim


class IndbVirkningsdatoFrem(ForaeldrebetalingS2S):
    """Defect: dates an INDB write-down by the bank's value date three days on, not the day the debtor paid (a
    virkningsdato may not lie in the future, psrm.md §6, 548)."""

    name = "foraeldrebetaling-s2s-indb-virkningsdato-frem"

    def write_down(
        self, claim: OwnClaim, amount: Decimal, reason: str, virkning: date | None, today: date
    ) -> None:
        later = date.fromordinal(today.toordinal() + 3) if virkning else None
        super().write_down(claim, amount, reason, later, today)
