"""A broken variant of the reference in the direct role (psrm-s2s); its defect is in the class docstring."""

from __future__ import annotations

from datetime import date

from testkommune.scenarios.fagsystemer.s2s import ForaeldrebetalingS2S, OwnClaim


class GenindsenderNyeStamdata(ForaeldrebetalingS2S):
    """Defect: re-submits a recalled claim with its stamdata built anew (today as stiftelsesdato), not the
    original's (psrm.md §6.4, 542)."""

    name = "foraeldrebetaling-s2s-genindsender-nye-stamdata"

    def resubmit(self, claim: OwnClaim, today: date) -> None:
        claim.struct = claim.struct | {"DMIFordringStiftelseTidspunkt": today.isoformat()}
        super().resubmit(claim, today)
