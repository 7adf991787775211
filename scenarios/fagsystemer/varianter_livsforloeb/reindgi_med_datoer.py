"""A broken variant of the reference in the direct role (psrm-s2s); its defect is in the class docstring."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from testkommune.scenarios.fagsystemer.s2s import ForaeldrebetalingS2S, OwnClaim


class ReindgiMedDatoer(ForaeldrebetalingS2S):
    """Defect: re-submits the interest accrued before a recall as REINDGI with the main claim's stiftelses-,
    forfalds- and SRB dates (REINDGI must carry none, psrm.md §6.4)."""

    name = "foraeldrebetaling-s2s-reindgi-med-datoer"

    def reindgi(self, claim: OwnClaim, interest: Decimal) -> dict[str, Any]:
        dates = ("DMIFordringStiftelseTidspunkt", "DMIFordringForfaldDato", "DMIFordringSRBDato")
        return super().reindgi(claim, interest) | {k: claim.struct[k] for k in dates}
