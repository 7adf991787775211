"""A broken variant of the reference in the direct role (psrm-s2s); its defect is in the class docstring."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from testkommune.scenarios.fagsystemer.s2s import ForaeldrebetalingS2S, OwnClaim


class ForbudtAarsagskode(ForaeldrebetalingS2S):
    """Defect: writes a corrected claim down with the årsagskode FAST, which PSRM claims do not allow (psrm.md
    §6.1, 571)."""

    name = "foraeldrebetaling-s2s-forbudt-aarsagskode"

    def write_down(
        self, claim: OwnClaim, amount: Decimal, reason: str, virkning: date | None, today: date
    ) -> None:
        super().write_down(claim, amount, "FAST" if reason == "REGU" else reason, virkning, today)
