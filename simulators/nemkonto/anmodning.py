"""A betalingsanmodning bundle as NemKonto's rules see it: read once from the contract-checked message.

The three public levels (oeir.md §4.4 [C]): Group Header (the bundt), Payment Information (the paying
myndighed and the dataleverandør), Payment Transaction (one payee each). Amounts are kept in øre.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from testkommune.contracts.findings import join_path
from testkommune.contracts.money import to_oere

KOMPLET, UKOMPLET = "KOMPLET", "UKOMPLET"
YDELSE, OEVRIG = "YDELSE", "OEVRIG"
UNDER_BEHANDLING, BEHANDLET, GODKENDT, AFVIST = "UNDER_BEHANDLING", "BEHANDLET", "GODKENDT", "AFVIST"
"""A bundle is UNDER_BEHANDLING, then BEHANDLET (or AFVIST at modtagekontrol); a payment GODKENDT/AFVIST."""

_ID_FIELDS = (("CPRNummer", "CPR"), ("CVRNummer", "CVR"), ("SENummer", "SE"))


@dataclass(frozen=True, slots=True)
class Transaktion:
    """One Payment Transaction; `path` points at it in the delivered message."""

    position: int
    path: str
    end_to_end_id: str
    oere: int
    modtager_type: str  # CPR | CVR | SE
    modtager: str
    betalingsform: str
    betalingsart: str
    konto: dict[str, str] | None

    @property
    def modtager_field(self) -> str:
        return {t: f for f, t in _ID_FIELDS}[self.modtager_type]


@dataclass(frozen=True, slots=True)
class Bundt:
    grp_id: str
    antal: int
    kontrolsum_oere: int
    myndighed: str  # "CVR:12345678" | "SE:12345678"
    kort: str
    lang: str
    betalingsdato: date
    transaktioner: tuple[Transaktion, ...]

    @property
    def leverandoer(self) -> str:
        return f"{self.kort}/{self.lang}"

    def key(self, reference: str) -> str:
        """The uniqueness key of a reference: within myndighed + dataleverandør (oeir.md §4.4 [C])."""
        return f"{self.myndighed}/{self.kort}/{reference}"


def identity(holder: dict[str, Any]) -> tuple[str, str]:
    """("CPR"|"CVR"|"SE", number) of an object carrying exactly one of the three numbers."""
    for field, kind in _ID_FIELDS:
        if field in holder:
            return kind, holder[field]
    raise ValueError(f"no CPR, CVR or SE number in {holder}")


def read_bundt(message: dict[str, Any]) -> Bundt:
    """The bundle of a contract-valid NKSBetalingsanmodningAfsend message."""
    header = message["GroupHeader"]
    info = message["PaymentInformation"]
    kind, number = identity(info["Myndighed"])
    transaktioner = []
    for position, raw in enumerate(message["PaymentTransaction"]):
        modtager_type, modtager = identity(raw["Modtager"])
        transaktioner.append(
            Transaktion(
                position=position,
                path=join_path("$", "PaymentTransaction", position),
                end_to_end_id=raw["EndToEndId"],
                oere=to_oere(raw["Beløb"]) or 0,  # the contract allows two decimals only
                modtager_type=modtager_type,
                modtager=modtager,
                betalingsform=raw["Betalingsform"],
                betalingsart=raw.get("Betalingsart", OEVRIG),
                konto=dict(raw["Konto"]) if "Konto" in raw else None,
            )
        )
    return Bundt(
        grp_id=header["GrpId"],
        antal=header["AntalTransaktioner"],
        kontrolsum_oere=to_oere(header["KontrolSum"]) or 0,
        myndighed=f"{kind}:{number}",
        kort=info["DataleverandøridentifikationKort"],
        lang=info["DataleverandørIdentifikationLang"],
        betalingsdato=date.fromisoformat(info["Betalingsdato"]),
        transaktioner=tuple(transaktioner),
    )
