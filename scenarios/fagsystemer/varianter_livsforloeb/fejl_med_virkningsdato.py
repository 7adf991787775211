"""A broken variant of the reference in the direct role (psrm-s2s); its defect is in the class docstring."""

from __future__ import annotations

from datetime import date
from typing import Any

from testkommune.scenarios.fagsystemer.s2s import ForaeldrebetalingS2S, OwnClaim


class FejlMedVirkningsdato(ForaeldrebetalingS2S):
    """Defect: recalls with FEJL and today as virkningsdato (a FEJL recall takes the receipt date: none may be
    sent, psrm.md §6.3, 546)."""

    name = "foraeldrebetaling-s2s-fejl-med-virkningsdato"

    def recall(self, claim: OwnClaim, reason: str, today: date) -> None:
        body: dict[str, Any] = {
            "DMIFordringEFIFordringID": claim.fordring_id,
            "HovedFordringTilbagekaldÅrsagStruktur": {"HovedFordringTilbageÅrsagKode": reason},
        }
        if reason == "FEJL":
            body["DMIFordringVirkningFra"] = today.isoformat()
        self._send("TILBAGEKALD", "MFTilbagekaldFordringStruktur", body, today)
