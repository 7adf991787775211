"""Builders of PSRM actions other than OPRETFORDRING (tests break them one field at a time)."""

from __future__ import annotations

import uuid
from typing import Any


def leverance(*actions: dict[str, Any], leverance_id: str | None = None) -> dict[str, Any]:
    return {
        "Kontekst": {
            "HovedOplysninger": {
                "TransaktionsID": str(uuid.uuid4()),
                "TransaktionsTid": "2026-09-20T09:00:00+02:00",
            }
        },
        "FordringhaverSystemIDStruktur": {"VirksomhedSENummer": "29189846"},
        "MFLeveranceID": leverance_id or f"L-{uuid.uuid4().hex[:10]}",
        "FordringAktionSamling": {"FordringAktion": list(actions)},
    }


def action(kode: str, struktur: str, body: dict[str, Any], aktion_id: str | None = None) -> dict[str, Any]:
    """One action; its MFAktionID inside its structure (for OPRETFORDRING its MFOpretFordringStruktur)."""
    aktion_id = aktion_id or f"A-{uuid.uuid4().hex[:10]}"
    if struktur == "OpretFordringAktion":
        body = body | {"MFOpretFordringStruktur": body["MFOpretFordringStruktur"] | {"MFAktionID": aktion_id}}
    else:
        body = body | {"MFAktionID": aktion_id}
    return {"MFAktionKode": kode, "DMIFordringHaverID": "0851", "AktionValg": {struktur: body}}


def nedskriv(
    fordring_id: str,
    beloeb: float,
    aarsag: str = "INDB",
    virkning: str | None = "2026-09-25",
    aktion_id: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "DMIFordringEFIFordringID": fordring_id,
        "NedskrivningÅrsagStruktur": {"FordringNedskrivningÅrsagKode": aarsag},
        "NedskrivningBeløbStruktur": {"ValutaKode": "DKK", "FordringNedskrivningBeløb": beloeb},
    }
    if virkning:
        body["FordringNedskrivningVirkningFra"] = virkning
    return action("NEDSKRIV", "MFNedskrivFordringStruktur", body, aktion_id)


def tilbagekald(fordring_id: str, aarsag: str, virkning: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "DMIFordringEFIFordringID": fordring_id,
        "HovedFordringTilbagekaldÅrsagStruktur": {"HovedFordringTilbageÅrsagKode": aarsag},
    }
    if virkning:
        body["DMIFordringVirkningFra"] = virkning
    return action("TILBAGEKALD", "MFTilbagekaldFordringStruktur", body)


def opskriv(fordring_id: str, beloeb: float, aktion_id: str | None = None) -> dict[str, Any]:
    return action(
        "OPSKRIVNINGREGULERING",
        "MFOpskrivningReguleringStruktur",
        {
            "DMIFordringEFIFordringID": fordring_id,
            "OpskrivningBeløbStruktur": {"ValutaKode": "DKK", "FordringOpskrivningBeløb": beloeb},
        },
        aktion_id,
    )


def annuller(
    kode: str,
    struktur: str,
    fordring_id: str,
    ref: str,
    beloeb: float,
    virkning: str | None = None,
    aktion_id: str | None = None,
) -> dict[str, Any]:
    side = "Opskrivning" if struktur.startswith("MFOpskrivning") else "Nedskrivning"
    body: dict[str, Any] = {
        "DMIFordringEFIFordringID": fordring_id,
        "MFAktionIDRef": ref,
        f"{side}BeløbStruktur": {"ValutaKode": "DKK", f"Fordring{side}Beløb": beloeb},
    }
    if virkning:
        body[f"Fordring{side}VirkningFra"] = virkning
    return action(kode, struktur, body, aktion_id)


def hovedstol(fordring_id: str, ny: float) -> dict[str, Any]:
    return action(
        "FEJLAGTIGHOVEDSTOLINDBERETNING",
        "MFFejlagtigHovedstolIndberetningStruktur",
        {
            "DMIFordringEFIFordringID": fordring_id,
            "FordringOprindeligBeløbStruktur": {"ValutaKode": "DKK", "EFIFordringOprindeligBeløb": ny},
        },
    )


def aendr(fordring_id: str, tekst: str) -> dict[str, Any]:
    return action(
        "AENDRFORDRING",
        "MFAendrFordringStruktur",
        {"DMIFordringEFIFordringID": fordring_id, "FordringBeskrivelse": tekst},
    )


def genindsend(
    fordring_id: str, struct: dict[str, Any], related: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"DMIFordringEFIFordringID": fordring_id, "MFOpretFordringStruktur": struct}
    if related:
        body["OpretUnderfordringSamling"] = {"MFOpretRelateretFordringStruktur": related}
    return action("GENINDSENDFORDRING", "MFGenindsendFordringStruktur", body)


def relateret(hovedfordring_id: str, *structs: dict[str, Any]) -> dict[str, Any]:
    return action(
        "OPRETRELATERETFORDRING",
        "OpretRelateretFordringAktion",
        {
            "DMIFordringEFIHovedFordringID": hovedfordring_id,
            "MFOpretRelateretFordringStruktur": list(structs),
        },
    )
