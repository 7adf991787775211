"""Checks of the whole tenant, run after every scenario (runner.FINAL_CHECKS): every claim belongs to a case,
its dates are lawful, free text carries no personal data, and the counterparts' books agree.
"""

from __future__ import annotations

import json
import re
from typing import Any

from testkommune.harness.certify.checks import (
    INVARIANT_VIOLATIONS,
    OIR_REFUSALS,
    _from_error,
    _harness_failure,
    _refusals_of,
    check,
)
from testkommune.harness.certify.observation import Observation
from testkommune.harness.certify.results import Failure

# Fields a fagsystem fills with its own words (contracts/oir, contracts/erp, contracts/nemkonto).
FREE_TEXT = frozenset({"Beskrivelse", "Tekst", "Årsag", "Bemærkning", "Meddelelse", "AdviseringTekst"})
# What the final checks can name, in every scenario (docs/coverage.md counts them as exercised by all).
FINAL_CODES = ("CERT-FORDRING-UKENDT", "CERT-TABT", "CERT-SRB-FOER-FORFALD", "CERT-PERSONDATA-FRITEKST")
CPR = re.compile(r"(?<![0-9])[0-3][0-9][01][0-9][0-9]{2}-?[0-9]{4}(?![0-9])")


@check("CERT-FORDRING-UKENDT", "CERT-TABT", relays=OIR_REFUSALS)
def claims_accounted(obs: Observation, _: Any) -> list[Failure]:
    """Every billed case has its claim in the debitor system, or at PSRM for a fagsystem in the direct role
    (else the refusal or the loss is named), and every claim there was sent for one of the scenario's cases
    (none unasked for)."""
    missing = [case for case in obs.billed if not obs.claims_of(case) and not obs.psrm_claims_of(case)]
    if missing and obs.refused("OpretDebitorkonto"):
        return _refusals_of("claims_accounted", obs, "OpretDebitorkonto")
    lost = [
        _harness_failure(
            "claims_accounted",
            "CERT-TABT",
            "$.OpretDebitorkonto.Fordring",
            1,
            0,
            {"case": case.case_id, "counterpart": "ØiR", "detail": "no claim in the debitor system"},
        )
        for case in missing
    ]
    return lost + [
        _harness_failure(
            "claims_accounted",
            "CERT-FORDRING-UKENDT",
            f"$.Fordring (FordringReference {claim['FordringReference']})",
            "a claim of a billed case",
            f"{claim['FordringReference']} ({claim['Data'].get('HovedstolBeløb')} kr)",
            {"ref": claim["FordringReference"], "amount": claim["Data"].get("HovedstolBeløb")},
        )
        for claim in obs.unaccounted()
        if not any(claim in obs.claims_of(case) for case in obs.billed)
    ]


@check("CERT-SRB-FOER-FORFALD")
def srb_after_forfald(obs: Observation, _: Any) -> list[Failure]:
    """Each claim's sidste rettidige betalingsdato is on or after its forfaldsdato."""
    failures = []
    for claim in obs.claims:
        data = claim["Data"]
        forfald, srb = data.get("ForfaldDato"), data.get("SidsteRettidigeBetalingDato")
        if forfald and srb and str(srb)[:10] < str(forfald)[:10]:
            ref = claim["FordringReference"]
            failures.append(
                _harness_failure(
                    "srb_after_forfald",
                    "CERT-SRB-FOER-FORFALD",
                    f"$.OpretDebitorkonto.Fordring[].SidsteRettidigeBetalingDato (FordringReference {ref})",
                    f">= {forfald}",
                    srb,
                    {"ref": ref, "case": obs.case_of(ref) or "?", "value": srb, "forfald": forfald},
                )
            )
    return failures


def _texts(node: Any, path: str = "$") -> list[tuple[str, str]]:
    """(path, text) of every free-text field in a message."""
    if isinstance(node, dict):
        out = []
        for key, value in node.items():
            here = f"{path}.{key}"
            if key in FREE_TEXT and isinstance(value, str):
                out.append((here, value))
            else:
                out.extend(_texts(value, here))
        return out
    if isinstance(node, list):
        return [t for item in node for t in _texts(item, f"{path}[]")]
    return []


def _names(obs: Observation) -> set[str]:
    """The people the scenario knows by name: each person debtor and anyone named in a case's facts."""
    names = {c.debtor.name for c in obs.cases if c.debtor.kind == "person" and c.debtor.name}
    names |= {v for c in obs.cases for k, v in c.extra.items() if k in ("barn", "person", "navn")}
    return {n for n in names if len(n) >= 4}


@check("CERT-PERSONDATA-FRITEKST")
def no_personal_data(obs: Observation, _: Any) -> list[Failure]:
    """No free-text field the fagsystem sent carries a CPR number or a person's name (they have their own
    fields, which the counterparts protect)."""
    names = _names(obs)
    failures = []
    for entry in obs.journal:
        try:
            message = json.loads(entry.get("request") or "null")
        except ValueError:
            continue
        for path, text in _texts(message):
            found = CPR.search(text)
            shown = "a CPR number" if found else next((n for n in names if n.lower() in text.lower()), None)
            if shown is None:
                continue
            shown = shown if found else "a person's name"
            failures.append(
                _harness_failure(
                    "no_personal_data",
                    "CERT-PERSONDATA-FRITEKST",
                    f"$.{entry['operation']}{path[1:]}",
                    "no personal data",
                    shown,
                    {"operation": entry["operation"], "field": path.rsplit(".", 1)[-1], "what": shown},
                )
            )
            break  # one finding per message
    return failures


@check(relays=INVARIANT_VIOLATIONS)
def invariants_hold(obs: Observation, _: Any) -> list[Failure]:
    """The cross-system bookkeeping invariants hold over the tenant's state (GET …/invarianter)."""
    report = obs.state.get("invarianter") or {"invarianter": []}
    return [
        _from_error("invariants_hold", violation, expected="no violation", reproduce=None)
        for invariant in report["invarianter"]
        for violation in invariant.get("violations", [])
    ]
