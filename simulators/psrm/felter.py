"""Where an action structure keeps its amount, its virkningsdato, its årsagskode and its MFAktionID (soap.md
§1's real nesting), so the handlers read a field by what it means, not by where SKAT's structure nests it."""

from __future__ import annotations

from typing import Any

from testkommune.contracts.findings import Finding, join_path

AMOUNT: dict[str, tuple[str, ...]] = {
    "MFNedskrivFordringStruktur": ("NedskrivningBeløbStruktur", "FordringNedskrivningBeløb"),
    "MFOpskrivningReguleringStruktur": ("OpskrivningBeløbStruktur", "FordringOpskrivningBeløb"),
    "MFOpskrivningAnnulleretNedskrivningIndbetalingStruktur": (
        "OpskrivningBeløbStruktur",
        "FordringOpskrivningBeløb",
    ),
    "MFOpskrivningOmgjortNedskrivningReguleringStruktur": (
        "OpskrivningBeløbStruktur",
        "FordringOpskrivningBeløb",
    ),
    "MFNedskrivningAnnulleretOpskrivningReguleringStruktur": (
        "NedskrivningBeløbStruktur",
        "FordringNedskrivningBeløb",
    ),
    "MFNedskrivningAnnulleretOpskrivningIndbetalingStruktur": (
        "NedskrivningBeløbStruktur",
        "FordringNedskrivningBeløb",
    ),
    "MFFejlagtigHovedstolIndberetningStruktur": (
        "FordringOprindeligBeløbStruktur",
        "EFIFordringOprindeligBeløb",
    ),
}
"""The amount an adjusting action carries."""

VIRKNING: dict[str, tuple[str, ...]] = {
    "MFNedskrivFordringStruktur": ("FordringNedskrivningVirkningFra",),
    "MFTilbagekaldFordringStruktur": ("DMIFordringVirkningFra",),
    "MFOpskrivningReguleringStruktur": ("FordringOpskrivningVirkningFra",),
    "MFOpskrivningAnnulleretNedskrivningIndbetalingStruktur": ("FordringOpskrivningVirkningFra",),
    "MFOpskrivningOmgjortNedskrivningReguleringStruktur": ("FordringOpskrivningVirkningFra",),
    "MFNedskrivningAnnulleretOpskrivningReguleringStruktur": ("FordringNedskrivningVirkningFra",),
    "MFNedskrivningAnnulleretOpskrivningIndbetalingStruktur": ("FordringNedskrivningVirkningFra",),
}
"""The date an action takes effect from."""

AARSAG: dict[str, tuple[str, ...]] = {
    "MFNedskrivFordringStruktur": ("NedskrivningÅrsagStruktur", "FordringNedskrivningÅrsagKode"),
    "MFTilbagekaldFordringStruktur": (
        "HovedFordringTilbagekaldÅrsagStruktur",
        "HovedFordringTilbageÅrsagKode",
    ),
}
"""The årsagskode of a write-down or a recall."""


def _get(table: dict[str, tuple[str, ...]], name: str, struct: dict[str, Any]) -> Any:
    value: Any = struct
    for key in table.get(name, ()):
        value = value.get(key) if isinstance(value, dict) else None
    return None if value is struct else value


def amount(name: str, struct: dict[str, Any]) -> Any:
    """The amount as sent (kroner), or None."""
    return _get(AMOUNT, name, struct)


def virkning(name: str, struct: dict[str, Any]) -> str | None:
    """The virkningsdato as sent (ISO date), or None when the action has none."""
    value = _get(VIRKNING, name, struct)
    return value if isinstance(value, str) else None


def aarsag(name: str, struct: dict[str, Any]) -> str | None:
    """The årsagskode, or None."""
    value = _get(AARSAG, name, struct)
    return value if isinstance(value, str) else None


def amount_path(s_base: str, name: str) -> str:
    return join_path(s_base, *AMOUNT[name])


def virkning_path(s_base: str, name: str) -> str:
    return join_path(s_base, *VIRKNING[name])


def aarsag_path(s_base: str, name: str) -> str:
    return join_path(s_base, *AARSAG[name])


def aktion_holder(valg: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(JSON path below AktionValg, the structure) that carries the action's MFAktionID: the action's own
    structure, or for OPRETFORDRING its MFOpretFordringStruktur (soap.md §1)."""
    if len(valg) != 1:
        return None
    name, struct = next(iter(valg.items()))
    if not isinstance(struct, dict):
        return None
    if name == "OpretFordringAktion":
        opret = struct.get("MFOpretFordringStruktur")
        return (f"{name}.MFOpretFordringStruktur", opret) if isinstance(opret, dict) else None
    return name, struct


def lift_aktion_ids(message: dict[str, Any]) -> tuple[dict[str, Any], list[Finding]]:
    """The leverance with each action's MFAktionID moved from its structure (where the contract, like the
    real service, has it) up to the action, where PSRM's bookkeeping reads it; a missing one is refused."""
    missing: list[Finding] = []
    actions = []
    for index, action in enumerate(message["FordringAktionSamling"]["FordringAktion"]):
        valg = {name: dict(struct) for name, struct in action["AktionValg"].items()}
        if "OpretFordringAktion" in valg:
            opret = valg["OpretFordringAktion"]
            opret["MFOpretFordringStruktur"] = dict(opret["MFOpretFordringStruktur"])
        found = aktion_holder(valg)
        aktion_id = found[1].pop("MFAktionID", None) if found is not None else None
        if aktion_id is None:
            where = join_path("$", "FordringAktionSamling", "FordringAktion", index, "AktionValg")
            where = f"{where}.{found[0]}" if found is not None else where
            missing.append(Finding("SCHEMA-REQUIRED", where, {"field": "MFAktionID"}))
        actions.append(action | {"MFAktionID": aktion_id, "AktionValg": valg})
    samling = message["FordringAktionSamling"] | {"FordringAktion": actions}
    return message | {"FordringAktionSamling": samling}, missing


def soege_interval(message: dict[str, Any]) -> dict[str, Any]:
    """MFUnderretSamlingHent's real `SøgeDatoFra` as the open interval PSRM's bookkeeping reads (start =
    end means open), `SøgeDatoFra` kept so a refusal names the field the caller sent; a request with the
    simulator's `DatoInterval` is left as it is."""
    if "SøgeDatoFra" not in message:
        return message
    fra = message["SøgeDatoFra"]
    return message | {"DatoInterval": {"StartDato": fra, "SlutDato": fra}}
