"""The debitor system recalls a claim under inddrivelse the fagsystem cancels: TILBAGEKALD with årsag FEJL.

A fagsystem cancels a claim (RetFordringTilstand ANNULLER) when it was raised in error or a complaint was
upheld: the debtor never owed it. While the claim is at PSRM, the debitor system recalls it there with
FEJL — "claim wrong / should never have been sent" (psrm.md §6.3 [S] gaeldst.dk …/tilbagekald-fordring): no
virkningsdato (546), every dækning reversed, interest reset from receipt. That the debitor system maps an
ANNULLER of a claim under inddrivelse to FEJL is testkommune's inference [I]. PSRM's reversals and the
recall itself reach the fagsystem's mailbox through `overdragelse.forward_psrm_notifications`.
"""

from __future__ import annotations

import uuid
from typing import Any

from testkommune.contracts.clock import iso
from testkommune.simulators.context import OpContext
from testkommune.simulators.psrm import api as psrm

RECALL_REASON = "FEJL"


def recall_fejl(ctx: OpContext, claim: Any) -> dict[str, Any]:
    """Send TILBAGEKALD FEJL for the claim's PSRM fordring; PSRM's action status (MODTAGET: judged on the
    clock; its action id is new, one per claim and attempt)."""
    view = claim.psrm or {}
    attempt = 1 + len(view.get("historik", []))
    message = {
        "Kontekst": {
            "HovedOplysninger": {"TransaktionsID": str(uuid.uuid4()), "TransaktionsTid": iso(ctx.now)}
        },
        "FordringhaverSystemIDStruktur": {"VirksomhedSENummer": ctx.settings["debitor"]["system_se"]},
        "MFLeveranceID": f"DEB-{claim.id:08d}-{attempt}",
        "FordringAktionSamling": {
            "FordringAktion": [
                {
                    "MFAktionKode": "TILBAGEKALD",
                    "MFAktionID": f"T-{ctx.tenant.kommune}-{claim.id:08d}-{attempt}",
                    "DMIFordringHaverID": ctx.settings["psrm"]["fordringshaver_id"],
                    "AktionValg": {
                        "MFTilbagekaldFordringStruktur": {
                            "DMIFordringEFIFordringID": view["DMIFordringEFIFordringID"],
                            "HovedFordringTilbagekaldAarsagKode": RECALL_REASON,
                        }
                    },
                }
            ]
        },
    }
    answer = psrm.submit(ctx, message)  # our mapping breaking PSRM's contract is a defect: AssertionError
    status: dict[str, Any] = answer["FordringInfo"]["FordringAktionStatusSamling"]["MFAktionStruktur"][0]
    return status
