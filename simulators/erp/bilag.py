"""A Finansbilag as the ERP's rules see it: read once from the contract-checked message, amounts in øre."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from testkommune.contracts.findings import join_path
from testkommune.contracts.identities import normalise_kommunenummer
from testkommune.contracts.money import to_oere

DEBET = "DEBET"
KREDIT = "KREDIT"
UNDER_BEHANDLING, GODKENDT, AFVIST = "UNDER_BEHANDLING", "GODKENDT", "AFVIST"
"""A bilag's status: received and waiting (masseleverance), booked whole, or rejected whole."""
BOGFOERT, IKKE_BOGFOERT = "BOGFOERT", "IKKE_BOGFOERT"
"""A line's status besides AFVIST: booked, or fine itself but in a rejected bilag."""


@dataclass(frozen=True, slots=True)
class Linje:
    """One Finanspostering: `nummer` counts from 1, `path` points at it in the delivered message."""

    nummer: int
    path: str
    beloeb: Any
    oere: int | None  # None when the amount has more than two decimals
    side: str
    sortiment: Mapping[str, str]
    reference: str | None
    tekst: str | None

    @property
    def debet(self) -> int:
        return (self.oere or 0) if self.side == DEBET else 0

    @property
    def kredit(self) -> int:
        return (self.oere or 0) if self.side == KREDIT else 0


@dataclass(frozen=True, slots=True)
class Bilag:
    path: str
    bilag_id: str
    kort: str
    lang: str
    bogfoeringsdato: date
    kommunenummer: str | None  # as sent
    cvr: str | None
    linjer: tuple[Linje, ...]

    @property
    def debet(self) -> int:
        return sum(line.debet for line in self.linjer)

    @property
    def kredit(self) -> int:
        return sum(line.kredit for line in self.linjer)

    @property
    def amounts_valid(self) -> bool:
        return all(line.oere is not None for line in self.linjer)

    @property
    def kommune(self) -> str | None:
        """The kommunenummer in its three-digit form (None when the bilag names a CVR)."""
        if self.kommunenummer is None:
            return None
        return normalise_kommunenummer(self.kommunenummer) or self.kommunenummer


def read_bilag(raw: Mapping[str, Any], path: str) -> Bilag:
    """The Finansbilag at `path` of a message its contract accepted."""
    myndighed = raw["Myndighed"]
    linjer = tuple(
        Linje(
            nummer=i + 1,
            path=join_path(path, "Finanspostering", i),
            beloeb=line["Beløb"],
            oere=to_oere(line["Beløb"]),
            side=line["DebetKredit"],
            sortiment=dict(line["Sortiment"]),
            reference=line.get("PosteringReference"),
            tekst=line.get("Tekst"),
        )
        for i, line in enumerate(raw["Finanspostering"])
    )
    return Bilag(
        path=path,
        bilag_id=raw["BilagID"],
        kort=raw["DataleverandøridentifikationKort"],
        lang=raw["DataleverandørIdentifikationLang"],
        bogfoeringsdato=date.fromisoformat(raw["Bogføringsdato"]),
        kommunenummer=myndighed.get("Kommunenummer"),
        cvr=myndighed.get("CVRNummer"),
        linjer=linjer,
    )
