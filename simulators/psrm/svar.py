"""PSRM's answers on the wire: each action's reasons nested as SKAT's real structure (soap.md §1 [R]).

Inside the simulator a reason list is a list of structured errors (the admin state, the facade the debitor
system calls). On the wire, `AfvistÅrsagSamling` holds `MFAktionAfvistStruktur{MFAktionAfvistNummer,
MFAktionAfvistTekst}` as the captured answer does — PSRM's own number where it has one, the Danish text —
and each keeps the simulator's structured error beside them (code, path, texts, fix, source). The hearing's
reasons (`HoeringÅrsagSamling/MFAktionHoeringStruktur`) are simulator-defined, shaped the same way.
"""

from __future__ import annotations

from typing import Any

REASONS = {"AfvistÅrsagSamling": "MFAktionAfvist", "HoeringÅrsagSamling": "MFAktionHoering"}
"""Each reason list of an MFAktionStruktur → the prefix of its real (or real-like) structure."""


def reason(prefix: str, error: dict[str, Any]) -> dict[str, Any]:
    """One reason as `{prefix}Struktur`: the number and text first, then the structured error."""
    number = error.get("native_code")
    return {
        f"{prefix}Nummer": str(number if number is not None else error.get("code", "")),
        f"{prefix}Tekst": error.get("text_da", ""),
    } | error


def aktion(status: dict[str, Any]) -> dict[str, Any]:
    """One MFAktionStruktur with its reason lists nested as on the wire."""
    out = dict(status)
    for samling, prefix in REASONS.items():
        errors = status.get(samling)
        if isinstance(errors, list):
            out[samling] = {f"{prefix}Struktur": [reason(prefix, e) for e in errors]}
    return out


def leverance(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer carrying `FordringAktionStatusSamling` (MFKvitteringHent, or MFFordringIndberet's
    `FordringInfo`), every action's reasons nested."""
    samling = answer.get("FordringAktionStatusSamling")
    if not isinstance(samling, dict):
        return answer
    statuses = [aktion(s) for s in samling.get("MFAktionStruktur") or []]
    return answer | {"FordringAktionStatusSamling": samling | {"MFAktionStruktur": statuses}}


def indberet(answer: dict[str, Any]) -> dict[str, Any]:
    """MFFordringIndberet_O with every action's reasons nested."""
    info = answer.get("FordringInfo")
    return answer | {"FordringInfo": leverance(info)} if isinstance(info, dict) else answer
