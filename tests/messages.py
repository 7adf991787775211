"""Builders of valid messages that tests then break one field at a time."""

from __future__ import annotations

import copy
import uuid
from typing import Any

OIR_B01 = "/service/OIR/DebitorRegistreringAfsend/1"
OIR_B02 = "/service/OIR/DebitorForespoergsel/1"
CPR = "0101901239"  # a valid date part; fails modulus 11 (a warning only)
CPR_MOD11 = "1111111118"  # passes modulus 11
CVR = "29189846"


def header() -> dict[str, str]:
    return {"TransaktionsID": str(uuid.uuid4()), "TransaktionsTid": "2026-09-20T09:00:00+02:00"}


def fordring(ref: str = "F1", **overrides: Any) -> dict[str, Any]:
    base = {
        "FordringReference": ref,
        "FordringstypeKode": "KFDAINS",
        "Beskrivelse": "Forældrebetaling oktober 2026",
        "HovedstolBeløb": 3200.0,
        "ValutaKode": "DKK",
        "PeriodeFraDato": "2026-10-01",
        "PeriodeTilDato": "2026-10-31",
        "StiftelseDato": "2026-10-01",
        "ForfaldDato": "2026-10-01",
        "SidsteRettidigeBetalingDato": "2026-10-15",
        "ForældelseDato": "2029-10-01",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def opret(
    *fordringer: dict[str, Any], account: str = "K1", cpr: str = CPR_MOD11, cvr: str | None = None
) -> dict[str, Any]:
    party = (
        {"VirksomhedCVRNummer": cvr, "Navn": "Testfirma ApS"}
        if cvr
        else {"PersonCPRNummer": cpr, "Navn": "Test Testesen"}
    )
    return {
        "Hovedoplysninger": header(),
        "OpretDebitorkonto": {
            "DebitorkontoSpecifikation": {
                "DebitorkontoReference": account,
                "DebitorkontoType": "VIRKSOMHED" if cvr else "PERSON",
                "JuridiskAnsvarlig": party,
            },
            "Fordring": list(fordringer) or [fordring()],
        },
    }


def overdrag(ref: str = "F1") -> dict[str, Any]:
    return {
        "Hovedoplysninger": header(),
        "RetFordringTilstand": {"FordringReference": ref, "FordringTilstand": "OVERDRAG_TIL_INDDRIVELSE"},
    }


def psrm_leverance(
    leverance: str = "L1", aktion: str = "A1", haver: str = "0851", **struct_overrides: Any
) -> dict[str, Any]:
    struct = {
        "DMIFordringFordringArtKode": "INDR",
        "DMIFordringTypeKode": "KFDAINS",
        "DMIFordringFordringHaverRef": f"REF-{aktion}",
        "FordringBeskrivelse": "Forældrebetaling",
        "DMIFordringStiftelseTidspunkt": "2026-09-01",
        "DMIFordringForfaldDato": "2026-09-01",
        "DMIFordringSRBDato": "2026-09-15",
        "FordringBeløbStruktur": {"ValutaKode": "DKK", "DMIFordringBeløb": 1000.0},
        "FordringPeriodeStruktur": {
            "DMIFordringPeriodeFraDato": "2026-09-01",
            "DMIFordringPeriodeTilDato": "2026-09-30",
        },
        "FordringOprindeligBeløbStruktur": {"ValutaKode": "DKK", "EFIFordringOprindeligBeløb": 1000.0},
        "FordringHæftelseSamling": {
            "MFHæftelseStruktur": [
                {
                    "MFKundeStruktur": {"Valg": {"PersonCPRNummer": CPR_MOD11}},
                    "HæftelseForældelseDato": "2029-09-01",
                }
            ]
        },
    }
    struct.update(struct_overrides)
    return {
        "Kontekst": {
            "HovedOplysninger": {
                "TransaktionsID": str(uuid.uuid4()),
                "TransaktionsTid": "2026-09-20T09:00:00+02:00",
            }
        },
        "FordringhaverSystemIDStruktur": {"VirksomhedSENummer": "29189846"},
        "MFLeveranceID": leverance,
        "FordringAktionSamling": {
            "FordringAktion": [
                {
                    "MFAktionKode": "OPRETFORDRING",
                    "DMIFordringHaverID": haver,
                    "AktionValg": {
                        "OpretFordringAktion": {"MFOpretFordringStruktur": {"MFAktionID": aktion} | struct}
                    },
                }
            ]
        },
    }


def codes(errors: list[dict[str, Any]]) -> set[str]:
    return {e["code"] for e in errors}


def psrm_leverance_of(actions: int, name: str = "L1") -> dict[str, Any]:
    """A leverance of `actions` new claims (the contract allows 1,000), each with its own action id and
    claimant reference."""
    message = psrm_leverance(name, f"{name}-0")
    first = message["FordringAktionSamling"]["FordringAktion"][0]
    many = []
    for number in range(actions):
        action = copy.deepcopy(first)
        struct = action["AktionValg"]["OpretFordringAktion"]["MFOpretFordringStruktur"]
        struct["MFAktionID"] = f"{name}-{number}"
        struct["DMIFordringFordringHaverRef"] = f"REF-{name}-{number}"
        many.append(action)
    message["FordringAktionSamling"]["FordringAktion"] = many
    return message
