"""Builders of valid SF1590_A messages (the standard daycare sortiment) that ERP tests then break."""

from __future__ import annotations

import uuid
from typing import Any

ERP = "/service/OIR/ModtagFinansbilag/2"
STRAKS = f"{ERP}/ModtagFinansbilag"
MASSE = f"{ERP}/ModtagFinansbilagMasse"
HENT = f"{ERP}/HentForretningskvittering"

KORT = "4711"
LANG = "DAGTILBUD-TEST"
INTEGRERET_UUID = "0b4de711-5140-4308-84d1-b8e5b94e9092"  # Ydelsestype INTEGRERET in the standard sortiment

# Where the standard omsætningstabel puts these lines (contracts/erp/standard_omsaetningstabel.json)
KONTO_FORAELDREBETALING = "5.25.14/1/001/7.2/2101"  # integreret institution, Børnehuset Solsikken
KONTO_FRIPLADS = "5.25.14/1/002/5.2/2101"
KONTO_MELLEMREGNING = "9.28.20/-/001/-/-"


def header() -> dict[str, str]:
    return {"TransaktionsID": str(uuid.uuid4()), "TransaktionsTid": "2026-09-20T09:00:00+02:00"}


def postering(
    beloeb: float,
    side: str,
    art: str,
    ydelsestype: str | None = None,
    omkostningssted: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    sortiment = {"Ydelsestype": ydelsestype, "Art": art, "Omkostningssted": omkostningssted}
    line = {
        "Beløb": beloeb,
        "DebetKredit": side,
        "Tekst": f"{art.title()} september 2026",
        "Sortiment": {k: v for k, v in sortiment.items() if v is not None},
    }
    line.update(overrides)
    return {k: v for k, v in line.items() if v is not None}


def opkraevning(beloeb: float = 3200.0) -> list[dict[str, Any]]:
    """Forældrebetaling handed to the debitor system: debet the mellemregning, kredit the income."""
    return [
        postering(beloeb, "DEBET", "MELLEMREGNING_DEBITOR"),
        postering(beloeb, "KREDIT", "FORAELDREBETALING", "INTEGRERET", "SOLSIKKEN"),
    ]


def nulsum(beloeb: float = 100.0) -> list[dict[str, Any]]:
    """A balanced test bilag that nets to zero on two drift accounts (oeir.md §8)."""
    return [
        postering(beloeb, "DEBET", "FRIPLADS", "INTEGRERET", "SOLSIKKEN"),
        postering(beloeb, "KREDIT", "FORAELDREBETALING", "INTEGRERET", "SOLSIKKEN"),
    ]


def finansbilag(
    linjer: list[dict[str, Any]] | None = None,
    *,
    bilag_id: str | None = None,
    bogfoeringsdato: str = "2026-09-20",
    kommune: str | None = "851",
    cvr: str | None = None,
    kort: str = KORT,
    lang: str = LANG,
) -> dict[str, Any]:
    myndighed = {"Kommunenummer": kommune} if cvr is None else {"CVRNummer": cvr}
    return {
        "BilagID": bilag_id or f"B-{uuid.uuid4().hex[:10]}",
        "Bilagsdato": "2026-09-20",
        "Bogføringsdato": bogfoeringsdato,
        "DataleverandøridentifikationKort": kort,
        "DataleverandørIdentifikationLang": lang,
        "Myndighed": myndighed,
        "Tekst": "Forældrebetaling september 2026",
        "Finanspostering": linjer if linjer is not None else opkraevning(),
    }


def modtag(bilag: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"Hovedoplysninger": header(), "Finansbilag": bilag or finansbilag()}


def masse(*bilag: dict[str, Any]) -> dict[str, Any]:
    return {"Hovedoplysninger": header(), "Finansbilag": list(bilag) or [finansbilag()]}
