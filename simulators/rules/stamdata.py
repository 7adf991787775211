"""A claim's stamdata, read the same way whichever binding carried it (ØiR or PSRM)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class Debtor:
    """One liable debtor (hæftelse): CPR, CVR, SE or AKR, and where it stood in the message."""

    kind: str
    id: str
    path: str
    foraeldelsesdato: date | None = None
    domsdato: date | None = None
    forligsdato: date | None = None


@dataclass(frozen=True, slots=True)
class MainClaim:
    """What a related claim's filter rules read of its main claim (R_8_2, R_10_2, R_10_7)."""

    forfaldsdato: date | None
    modtaget: date


@dataclass(frozen=True, slots=True)
class Stamdata:
    """The stamdata of one claim (hovedfordring or related claim), amounts in øre.

    `paths` maps each stamdata name (as in `fordringstyper.json`'s `stamdata_felter`) and the amount
    fields to the JSON path it was sent at, so a finding can point at the field the sender wrote.
    """

    fordringstype: str
    reference: str
    hovedstol: int | None
    saldo: int | None
    valuta: str
    periode_fra: date | None = None
    periode_til: date | None = None
    stiftelsesdato: date | None = None
    forfaldsdato: date | None = None
    srb: date | None = None
    beskrivelse: str | None = None
    debtors: tuple[Debtor, ...] = ()
    is_main: bool = True
    rentevalg: Mapping[str, Any] | None = None
    art: str | None = None
    paths: Mapping[str, str] = field(default_factory=dict)

    def present(self, name: str) -> bool:
        """Is stamdata field `name` filled in?"""
        if name == "periode":
            return self.periode_fra is not None and self.periode_til is not None
        if name in ("foraeldelsesdato", "domsdato", "forligsdato"):
            return bool(self.debtors) and all(getattr(d, name) is not None for d in self.debtors)
        if name == "bfe":
            return False
        return getattr(self, name, None) not in (None, "")

    def path(self, name: str) -> str:
        return self.paths.get(name, "$")

    def dates(self) -> list[tuple[str, date]]:
        """Every date in the stamdata with its stamdata name."""
        out = [
            (name, value)
            for name, value in (
                ("periode_fra", self.periode_fra),
                ("periode_til", self.periode_til),
                ("stiftelsesdato", self.stiftelsesdato),
                ("forfaldsdato", self.forfaldsdato),
                ("srb", self.srb),
            )
            if value is not None
        ]
        for debtor in self.debtors:
            for name in ("foraeldelsesdato", "domsdato", "forligsdato"):
                value = getattr(debtor, name)
                if value is not None:
                    out.append((name, value))
        return out
