"""Builders of valid SF1590_E messages (betalingsanmodninger to NemKonto) that NemKonto tests then break."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

NKS = "/service/OIR/NKSBetalingsanmodning/1"
AFSEND = f"{NKS}/NKSBetalingsanmodningAfsend"
HENT = f"{NKS}/NKSForretningssvarHent"

MYNDIGHED_CVR = "29189846"  # the paying kommune (made-up CVR with a valid check digit)
KORT = "4712"
LANG = "YDELSE-TEST"

# From contracts/nemkonto/nemkonto_register.json: payees with a NemKonto ...
CPR_MED_NEMKONTO = "1003801620"
NEMKONTO_1003801620 = {"Registreringsnummer": "1551", "Kontonummer": "0003801620"}
CVR_MED_NEMKONTO = "18852691"
# ... and (valid CPR numbers) without one
CPR_UDEN_NEMKONTO = "1306832928"
CPR_UDEN_NEMKONTO_2 = "1407841898"


def header() -> dict[str, str]:
    return {"TransaktionsID": str(uuid.uuid4()), "TransaktionsTid": "2026-09-20T09:00:00+02:00"}


def komplet(beloeb: float, cpr: str = CPR_UDEN_NEMKONTO, **overrides: Any) -> dict[str, Any]:
    """A komplet payment to a CPR-identified payee: the account travels with it."""
    return {
        "EndToEndId": overrides.pop("EndToEndId", f"E2E-{uuid.uuid4().hex[:20]}"),
        "Beløb": beloeb,
        "Modtager": {"CPRNummer": cpr},
        "Betalingsform": "KOMPLET",
        "Konto": {"Registreringsnummer": "9999", "Kontonummer": "1234567890"},
        "Tekst": "Udbetaling september 2026",
    } | overrides


def ukomplet(beloeb: float, modtager: dict[str, str] | None = None, **overrides: Any) -> dict[str, Any]:
    """An ukomplet payment: NemKonto completes the account from its register."""
    return {
        "EndToEndId": overrides.pop("EndToEndId", f"E2E-{uuid.uuid4().hex[:20]}"),
        "Beløb": beloeb,
        "Modtager": modtager or {"CPRNummer": CPR_MED_NEMKONTO},
        "Betalingsform": "UKOMPLET",
    } | overrides


def anmodning(
    transaktioner: list[dict[str, Any]],
    *,
    grp_id: str | None = None,
    antal: int | None = None,
    kontrolsum: float | None = None,
    kort: str = KORT,
    lang: str = LANG,
    myndighed: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A bundle whose control totals match its payments unless given."""
    total = sum(Decimal(str(t["Beløb"])) for t in transaktioner)
    return {
        "Hovedoplysninger": header(),
        "GroupHeader": {
            "GrpId": grp_id or f"GRP-{uuid.uuid4().hex[:16]}",
            "OprettetTidspunkt": "2026-09-20T08:55:00+02:00",
            "AntalTransaktioner": len(transaktioner) if antal is None else antal,
            "KontrolSum": float(total) if kontrolsum is None else kontrolsum,
        },
        "PaymentInformation": {
            "Myndighed": myndighed or {"CVRNummer": MYNDIGHED_CVR},
            "DataleverandøridentifikationKort": kort,
            "DataleverandørIdentifikationLang": lang,
            "Betalingsdato": "2026-09-22",
        },
        "PaymentTransaction": transaktioner,
    }
