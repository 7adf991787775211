"""Read a PSRM OPRETFORDRING structure (JSON binding) into stamdata the rules understand."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from testkommune.contracts.findings import join_path
from testkommune.contracts.money import to_oere
from testkommune.simulators.rules.stamdata import Debtor, Stamdata

_DEBTOR_KINDS = {
    "PersonCPRNummer": "CPR",
    "VirksomhedCVRNummer": "CVR",
    "VirksomhedSENummer": "SE",
    "AKRNummer": "AKR",
}


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def stamdata(struct: dict[str, Any], base: str, *, is_main: bool) -> Stamdata:
    """Stamdata of one MFOpretFordringStruktur found at JSON path `base`."""
    periode = struct.get("FordringPeriodeStruktur") or {}
    beloeb = struct.get("FordringBeløbStruktur") or {}
    oprindelig = struct.get("FordringOprindeligBeløbStruktur") or {}
    haeftelser = (struct.get("FordringHæftelseSamling") or {}).get("MFHæftelseStruktur") or []
    debtors = []
    for i, h in enumerate(haeftelser):
        valg = (h.get("MFKundeStruktur") or {}).get("Valg") or {}
        kind, ident = next(iter(valg.items()), ("", ""))
        debtors.append(
            Debtor(
                kind=_DEBTOR_KINDS.get(kind, kind),
                id=ident,
                path=join_path(
                    base, "FordringHæftelseSamling", "MFHæftelseStruktur", i, "MFKundeStruktur", "Valg", kind
                ),
                foraeldelsesdato=_date(h.get("HæftelseForældelseDato")),
                domsdato=_date(h.get("HæftelseDomDato")),
                forligsdato=_date(h.get("HæftelseForligDato")),
            )
        )
    paths = _paths(base)
    valuta, valuta_path = _currency(beloeb, oprindelig, base)
    if valuta_path != paths["valuta"]:
        paths = {**paths, "valuta": valuta_path}
    return Stamdata(
        fordringstype=struct.get("DMIFordringTypeKode", ""),
        reference=struct.get("DMIFordringFordringHaverRef", ""),
        hovedstol=to_oere(oprindelig["EFIFordringOprindeligBeløb"])
        if "EFIFordringOprindeligBeløb" in oprindelig
        else None,
        saldo=to_oere(beloeb["DMIFordringBeløb"]) if "DMIFordringBeløb" in beloeb else None,
        valuta=valuta,
        periode_fra=_date(periode.get("DMIFordringPeriodeFraDato")),
        periode_til=_date(periode.get("DMIFordringPeriodeTilDato")),
        stiftelsesdato=_date(struct.get("DMIFordringStiftelseTidspunkt")),
        forfaldsdato=_date(struct.get("DMIFordringForfaldDato")),
        srb=_date(struct.get("DMIFordringSRBDato")),
        beskrivelse=struct.get("FordringBeskrivelse"),
        debtors=tuple(debtors),
        is_main=is_main,
        rentevalg=struct.get("RenteValgStruktur"),
        art=struct.get("DMIFordringFordringArtKode"),
        paths=paths,
    )


@lru_cache(maxsize=256)
def _paths(base: str) -> Mapping[str, str]:
    """The JSON path of each stamdata field of a claim at `base` (few bases recur: built once each)."""
    first_h = join_path(base, "FordringHæftelseSamling", "MFHæftelseStruktur", 0)
    return MappingProxyType(
        {
            "fordringstype": join_path(base, "DMIFordringTypeKode"),
            "reference": join_path(base, "DMIFordringFordringHaverRef"),
            "beskrivelse": join_path(base, "FordringBeskrivelse"),
            "periode": join_path(base, "FordringPeriodeStruktur"),
            "periode_fra": join_path(base, "FordringPeriodeStruktur", "DMIFordringPeriodeFraDato"),
            "periode_til": join_path(base, "FordringPeriodeStruktur", "DMIFordringPeriodeTilDato"),
            "stiftelsesdato": join_path(base, "DMIFordringStiftelseTidspunkt"),
            "forfaldsdato": join_path(base, "DMIFordringForfaldDato"),
            "srb": join_path(base, "DMIFordringSRBDato"),
            "saldo": join_path(base, "FordringBeløbStruktur", "DMIFordringBeløb"),
            "hovedstol": join_path(base, "FordringOprindeligBeløbStruktur", "EFIFordringOprindeligBeløb"),
            "valuta": join_path(base, "FordringBeløbStruktur", "ValutaKode"),
            "foraeldelsesdato": join_path(first_h, "HæftelseForældelseDato"),
            "domsdato": join_path(first_h, "HæftelseDomDato"),
            "forligsdato": join_path(first_h, "HæftelseForligDato"),
            "rentevalg": join_path(base, "RenteValgStruktur"),
            "art": join_path(base, "DMIFordringFordringArtKode"),
        }
    )


def _currency(beloeb: dict[str, Any], oprindelig: dict[str, Any], base: str) -> tuple[str, str]:
    """The claim's currency; where the two amount structures disagree, the one that is not DKK."""
    candidates = (
        (beloeb.get("ValutaKode", ""), join_path(base, "FordringBeløbStruktur", "ValutaKode")),
        (oprindelig.get("ValutaKode", ""), join_path(base, "FordringOprindeligBeløbStruktur", "ValutaKode")),
    )
    return next((c for c in candidates if c[0] != "DKK"), candidates[0])


def claims_of_structs(
    main: dict[str, Any] | None, related: list[dict[str, Any]], base: str, rel_base: str
) -> list[Stamdata]:
    """Stamdata of a main claim (if any, first) and its related claims, each with its own JSON path."""
    out = [stamdata(main, base, is_main=True)] if main is not None else []
    out += [stamdata(struct, join_path(rel_base, i), is_main=False) for i, struct in enumerate(related)]
    return out
