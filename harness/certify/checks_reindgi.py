"""The interest a recall sent back is re-submitted with the claim (psrm.md §6.3–6.4).

A recall with KLAG, HENS or HAFT returns the claim to its claimant with the inddrivelsesrente accrued at PSRM
so far; when the claimant re-submits the claim (GENINDSENDFORDRING), that interest goes with it as a related
claim of type REINDGI. Only a claimant toward PSRM recalls and re-submits: in the direct role that is the
fagsystem itself; in the ØiR role the kommune's debitor system, which recalls nothing, so there is nothing to
judge. Written in the `@check` style of the other check modules.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from testkommune.harness.certify.checks import _harness_failure, check
from testkommune.harness.certify.observation import Observation
from testkommune.harness.certify.results import Failure

REINDGI = "REINDGI"


@check("CERT-REINDGI-MANGLER")
def reindgi_resubmitted(obs: Observation, _: Any) -> list[Failure]:
    """Every re-submitted claim whose recall returned inddrivelsesrente carries it as REINDGI."""
    claims = {str(c["id"]): c for c in obs.state["psrm"].get("claims", [])}
    failures = []
    for action in obs.psrm_actions:
        struct = ((action.get("Anmodning") or {}).get("AktionValg") or {}).get("MFGenindsendFordringStruktur")
        if not isinstance(struct, dict) or action["MFAktionStatusKode"] == "AFVIST":
            continue  # not a re-submission, or one refused (exchanges_accepted names why)
        original = claims.get(str(struct.get("DMIFordringEFIFordringID")))
        returned = int((original or {}).get("rente_returneret_oere") or 0)
        samling = struct.get("OpretUnderfordringSamling") or {}
        related = samling.get("MFOpretRelateretFordringStruktur") or []
        if returned <= 0 or any(r.get("DMIFordringTypeKode") == REINDGI for r in related):
            continue
        params = {
            "ref": (struct.get("MFOpretFordringStruktur") or {}).get("DMIFordringFordringHaverRef", "?"),
            "reason": (original or {}).get("recall_reason") or "?",
        }
        failures.append(
            _harness_failure(
                "reindgi_resubmitted",
                "CERT-REINDGI-MANGLER",
                "$.OpretUnderfordringSamling.MFOpretRelateretFordringStruktur",
                str(Decimal(returned) / 100),
                "no REINDGI",
                params,
            )
        )
    return failures
