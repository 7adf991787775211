"""Read an ØiR Fordring (SF1590_B_01) into stamdata, and write the PSRM message for a booked claim."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from testkommune.contracts.clock import iso
from testkommune.contracts.findings import join_path
from testkommune.contracts.money import to_oere, wire
from testkommune.simulators.rules.stamdata import Debtor, Stamdata

_FIELDS = {
    "fordringstype": "FordringstypeKode",
    "reference": "FordringReference",
    "beskrivelse": "Beskrivelse",
    "periode": "PeriodeFraDato",
    "periode_fra": "PeriodeFraDato",
    "periode_til": "PeriodeTilDato",
    "stiftelsesdato": "StiftelseDato",
    "forfaldsdato": "ForfaldDato",
    "srb": "SidsteRettidigeBetalingDato",
    "foraeldelsesdato": "ForældelseDato",
    "domsdato": "DomDato",
    "forligsdato": "ForligDato",
    "saldo": "HovedstolBeløb",
    "hovedstol": "HovedstolBeløb",
    "valuta": "ValutaKode",
}


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def debtor_of(part: dict[str, Any], base: str) -> Debtor:
    for key, kind in (("PersonCPRNummer", "CPR"), ("VirksomhedCVRNummer", "CVR")):
        if key in part:
            return Debtor(kind=kind, id=part[key], path=join_path(base, key))
    return Debtor(kind="", id="", path=base)


def stamdata(fordring: dict[str, Any], base: str, debtor: Debtor) -> Stamdata:
    """Stamdata of the Fordring at JSON path `base`; the account's debtor is its only hæftelse."""
    liable = Debtor(
        kind=debtor.kind,
        id=debtor.id,
        path=debtor.path,
        foraeldelsesdato=_date(fordring.get("ForældelseDato")),
        domsdato=_date(fordring.get("DomDato")),
        forligsdato=_date(fordring.get("ForligDato")),
    )
    amount = to_oere(fordring["HovedstolBeløb"])
    return Stamdata(
        fordringstype=fordring["FordringstypeKode"],
        reference=fordring["FordringReference"],
        hovedstol=amount,
        saldo=amount,
        valuta=fordring["ValutaKode"],
        periode_fra=_date(fordring.get("PeriodeFraDato")),
        periode_til=_date(fordring.get("PeriodeTilDato")),
        stiftelsesdato=_date(fordring.get("StiftelseDato")),
        forfaldsdato=_date(fordring.get("ForfaldDato")),
        srb=_date(fordring.get("SidsteRettidigeBetalingDato")),
        beskrivelse=fordring.get("Beskrivelse"),
        debtors=(liable,),
        is_main=True,
        paths={name: join_path(base, field) for name, field in _FIELDS.items()},
    )


_KUNDE = {"CPR": "PersonCPRNummer", "CVR": "VirksomhedCVRNummer"}


def psrm_message(
    claim: Any,
    account: Any,
    *,
    leverance_id: str,
    aktion_id: str,
    fordringshaver_id: str,
    system_se: str,
    now: datetime,
    haeftere: list[tuple[str, str]] | None = None,
    related: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The MFFordringIndberet_I the debitor system sends to hand one booked claim over to PSRM.

    `haeftere` are the (CPR|CVR, id) of the parties liable for the claim (its active hæftelser); without
    them the account's juridisk ansvarlige alone. `related` are the open rykkergebyrer and renter the
    debitor system added ({"type", "reference", "oere", "forfald"}): they go along as related claims
    (psrm.md §3.1 hoved- og underfordringer; oeir.md §10 [C]: hoved- and underfordringer exist)."""
    data = claim.data
    haeftelser = _haeftelser(data, haeftere or [(account.debtor_kind, account.debtor_id)])
    struct = _opret_fordring_struktur(claim, haeftelser)
    aktion: dict[str, Any] = {"MFOpretFordringStruktur": struct | {"MFAktionID": aktion_id}}  # soap.md §1
    if related:
        aktion["OpretUnderfordringSamling"] = {
            "MFOpretRelateretFordringStruktur": [_related(struct, r) for r in related]
        }
    return {
        "Kontekst": {"HovedOplysninger": {"TransaktionsID": str(uuid.uuid4()), "TransaktionsTid": iso(now)}},
        "FordringhaverSystemIDStruktur": {"VirksomhedSENummer": system_se},
        "MFLeveranceID": leverance_id,
        "FordringAktionSamling": {
            "FordringAktion": [
                {
                    "MFAktionKode": "OPRETFORDRING",
                    "DMIFordringHaverID": fordringshaver_id,
                    "AktionValg": {"OpretFordringAktion": aktion},
                }
            ]
        },
    }


def _haeftelser(data: dict[str, Any], parties: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """One MFHæftelseStruktur per (CPR|CVR, id), with the claim's forældelse, dom and forlig."""
    haeftelser = []
    for kind, ident in parties:
        haeftelse: dict[str, Any] = {"MFKundeStruktur": {"Valg": {_KUNDE[kind]: ident}}}
        if data.get("ForældelseDato"):
            haeftelse["HæftelseForældelseDato"] = data["ForældelseDato"]
        if data.get("DomDato"):
            haeftelse |= {"HæftelseDom": True, "HæftelseDomDato": data["DomDato"]}
        if data.get("ForligDato"):
            haeftelse |= {"HæftelseForlig": True, "HæftelseForligDato": data["ForligDato"]}
        haeftelser.append(haeftelse)
    return haeftelser


def _opret_fordring_struktur(claim: Any, haeftelser: list[dict[str, Any]]) -> dict[str, Any]:
    """The MFOpretFordringStruktur of a booked claim: type, reference, amounts, hæftelser and the
    optional dates, description and period its data has."""
    data = claim.data
    struct: dict[str, Any] = {
        "DMIFordringFordringArtKode": "INDR",
        "DMIFordringTypeKode": data["FordringstypeKode"],
        "DMIFordringFordringHaverRef": data["FordringReference"],
        "FordringBeløbStruktur": {
            "ValutaKode": data["ValutaKode"],
            "DMIFordringBeløb": wire(claim.saldo_oere),
        },
        "FordringOprindeligBeløbStruktur": {
            "ValutaKode": data["ValutaKode"],
            "EFIFordringOprindeligBeløb": wire(claim.hovedstol_oere),
        },
        "FordringHæftelseSamling": {"MFHæftelseStruktur": haeftelser},
    }
    optional = {
        "Beskrivelse": "FordringBeskrivelse",
        "StiftelseDato": "DMIFordringStiftelseTidspunkt",
        "ForfaldDato": "DMIFordringForfaldDato",
        "SidsteRettidigeBetalingDato": "DMIFordringSRBDato",
    }
    for source, target in optional.items():
        if data.get(source):
            struct[target] = data[source]
    if data.get("PeriodeFraDato") and data.get("PeriodeTilDato"):
        struct["FordringPeriodeStruktur"] = {
            "DMIFordringPeriodeFraDato": data["PeriodeFraDato"],
            "DMIFordringPeriodeTilDato": data["PeriodeTilDato"],
        }
    return struct


def _related(main: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """A related claim (rykkergebyr, rente) on the main claim's debtors, period and currency."""
    currency = main["FordringBeløbStruktur"]["ValutaKode"]
    out: dict[str, Any] = {
        "DMIFordringFordringArtKode": main["DMIFordringFordringArtKode"],
        "DMIFordringTypeKode": part["type"],
        "DMIFordringFordringHaverRef": part["reference"],
        "FordringBeløbStruktur": {"ValutaKode": currency, "DMIFordringBeløb": wire(part["oere"])},
        "FordringOprindeligBeløbStruktur": {
            "ValutaKode": currency,
            "EFIFordringOprindeligBeløb": wire(part["oere"]),
        },
        "FordringHæftelseSamling": main["FordringHæftelseSamling"],
    }
    for key in ("FordringPeriodeStruktur", "DMIFordringStiftelseTidspunkt"):
        if key in main:
            out[key] = main[key]
    if part.get("forfald"):
        out["DMIFordringForfaldDato"] = part["forfald"]
    return out
