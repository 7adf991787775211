"""Where an action structure keeps its amount, its virkningsdato and its årsagskode (soap.md §1's real
nesting), so the handlers read a field by what it means, not by where SKAT's structure nests it."""

from __future__ import annotations

from typing import Any

from testkommune.contracts.findings import join_path

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
