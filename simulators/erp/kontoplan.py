"""The sample of the authorised municipal chart of accounts (`contracts/reference/kontoplan.json`) and the
kontostreng the ERP books on; loaded once per process."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from testkommune.contracts.findings import Finding, join_path
from testkommune.contracts.schemas import load_reference

UNUSED = "-"


@dataclass(frozen=True, slots=True)
class Kontostreng:
    """A kontostreng segment by segment (oeir.md §12); `omkostningssted` is the kommune's own cost centre."""

    funktion: str
    dranst: str | None
    gruppering: str | None
    art: str | None
    omkostningssted: str | None = None

    @property
    def tekst(self) -> str:
        """testkommune's text form FUNKTION/DRANST/GRUPPERING/ART/OMKOSTNINGSSTED ('-' when unused)."""
        segments = (self.funktion, self.dranst, self.gruppering, self.art, self.omkostningssted)
        return "/".join(s or UNUSED for s in segments)

    def with_omkostningssted(self, omkostningssted: str | None) -> Kontostreng:
        return replace(self, omkostningssted=omkostningssted)

    def view(self) -> dict[str, Any]:
        return {
            "Tekst": self.tekst,
            "Funktion": self.funktion,
            "Dranst": self.dranst,
            "Gruppering": self.gruppering,
            "Art": self.art,
            "Omkostningssted": self.omkostningssted,
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Kontostreng:
        """From the admin contract's Kontostreng object (or a stored view)."""
        return cls(
            funktion=data["Funktion"],
            dranst=data.get("Dranst"),
            gruppering=data.get("Gruppering"),
            art=data.get("Art"),
            omkostningssted=data.get("Omkostningssted"),
        )


@dataclass(frozen=True, slots=True)
class Funktion:
    nummer: str
    titel: str
    dranst: tuple[str, ...]
    kraever_art: bool


@dataclass(frozen=True, slots=True)
class Kontoplan:
    """Funktioner (with the dranst and art each takes) and arter of the sample plan."""

    funktioner: dict[str, Funktion]
    arter: dict[str, str]
    version: str

    def check(self, konto: Kontostreng, path: str) -> list[Finding]:
        """Why `konto` is not an authorised kontostreng of this plan (empty when it is)."""
        funktion = self.funktioner.get(konto.funktion)
        if funktion is None:
            return [_invalid(path, "Funktion", konto.funktion, f"kontoplan {self.version}")]
        found: list[Finding] = []
        if funktion.dranst and konto.dranst not in funktion.dranst:
            found.append(_invalid(path, "Dranst", konto.dranst, "/".join(funktion.dranst)))
        elif not funktion.dranst and konto.dranst is not None:
            found.append(_invalid(path, "Dranst", konto.dranst, UNUSED))
        if funktion.kraever_art and konto.art not in self.arter:
            found.append(_invalid(path, "Art", konto.art, f"kontoplan {self.version}"))
        elif not funktion.kraever_art and konto.art is not None:
            found.append(_invalid(path, "Art", konto.art, UNUSED))
        return found

    def titles(self, konto: Kontostreng) -> dict[str, str | None]:
        funktion = self.funktioner.get(konto.funktion)
        return {
            "FunktionTitel": funktion.titel if funktion else None,
            "ArtTitel": self.arter.get(konto.art) if konto.art else None,
        }


def _invalid(path: str, field: str, value: str | None, expected: str) -> Finding:
    return Finding(
        "ERP-KONTOSTRENG-UGYLDIG",
        join_path(path, field),
        {"field": field, "value": value if value is not None else UNUSED, "expected": expected},
    )


@cache
def kontoplan() -> Kontoplan:
    """The sample kontoplan, parsed once."""
    data = load_reference("kontoplan.json")
    funktioner = {
        f["nummer"]: Funktion(f["nummer"], f["titel"], tuple(f["dranst"]), bool(f["art"]))
        for f in data["funktioner"]
    }
    arter = {a["kode"]: a["titel"] for hovedart in data["hovedarter"] for a in hovedart["arter"]}
    return Kontoplan(funktioner=funktioner, arter=arter, version=data["version"])


@cache
def kontoplan_document() -> dict[str, Any]:
    """The reference file as published (for the admin API)."""
    return load_reference("kontoplan.json")
