"""A broken variant of the reference in the direct role (psrm-s2s); its defect is in the class docstring."""

from __future__ import annotations

from datetime import date

from testkommune.scenarios.fagsystemer.s2s import ForaeldrebetalingS2S, OwnClaim


class GenindsenderUdenReindgi(ForaeldrebetalingS2S):
    """Defect: re-submits a claim recalled with KLAG without the inddrivelsesrente that came back with the
    recall (it must follow as REINDGI, psrm.md §6.3–6.4): the debtor's interest is silently dropped."""

    name = "foraeldrebetaling-s2s-genindsender-uden-reindgi"

    def resubmit(self, claim: OwnClaim, today: date) -> None:
        body = {"DMIFordringEFIFordringID": claim.fordring_id, "MFOpretFordringStruktur": claim.struct}
        claim.created = self._send("GENINDSENDFORDRING", "MFGenindsendFordringStruktur", body, today)
        claim.state = "PSRM"
