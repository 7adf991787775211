"""The fordringstype catalogue (`contracts/reference/fordringstyper.json`), loaded once."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from testkommune.contracts.schemas import load_reference


@dataclass(frozen=True, slots=True)
class Fordringstype:
    kode: str
    navn: str
    name_en: str
    forretningsomraade: str
    kategori: str
    kommunal: bool
    renter: bool
    kraevet: frozenset[str]
    forbudt: frozenset[str]
    min_periode_dage: int | None
    kraever_dom_eller_forlig: bool
    kraever_bfe: bool
    aktiv: bool
    kilde: Mapping[str, str]
    stamdata_kilde: Mapping[str, str]
    daekningskategori: tuple[int, int] = (4, 1)
    """GIL § 4 coverage group and place within it (fines 2, maintenance 3, all others 4; psrm.md §10)."""

    @property
    def is_main(self) -> bool:
        return self.kategori == "HF"


class FordringstypeCatalogue:
    def __init__(
        self, types: Mapping[str, Fordringstype], fields: Mapping[str, Mapping[str, str]], version: str
    ):
        self._types = dict(types)
        self.fields = dict(fields)
        self.version = version

    def get(self, kode: str) -> Fordringstype | None:
        return self._types.get(kode)

    def __iter__(self) -> Iterator[Fordringstype]:
        return iter(self._types.values())

    def __len__(self) -> int:
        return len(self._types)

    def kommunale(self) -> list[Fordringstype]:
        return [t for t in self._types.values() if t.kommunal and t.aktiv]


def _entry(raw: Mapping[str, Any]) -> Fordringstype:
    stamdata = raw.get("stamdata", {})
    regler = raw.get("regler", {}) or {}
    return Fordringstype(
        kode=raw["kode"],
        navn=raw["navn"],
        name_en=raw["name_en"],
        forretningsomraade=raw["forretningsomraade"],
        kategori=raw["kategori"],
        kommunal=raw.get("kommunal", True),
        renter=raw.get("renter", True),
        kraevet=frozenset(stamdata.get("kraevet", ())),
        forbudt=frozenset(stamdata.get("forbudt", ())),
        min_periode_dage=regler.get("min_periode_dage"),
        kraever_dom_eller_forlig=bool(regler.get("kraever_dom_eller_forlig")),
        kraever_bfe=bool(regler.get("kraever_bfe")),
        aktiv=raw.get("aktiv", True),
        kilde=raw.get("kilde", {}),
        stamdata_kilde=raw.get("stamdata_kilde", {}),
        daekningskategori=(
            raw["daekningskategori"]["gruppe"],
            raw["daekningskategori"]["plads"],
        )
        if "daekningskategori" in raw
        else (4, 1),
    )


@cache
def fordringstyper() -> FordringstypeCatalogue:
    data = load_reference("fordringstyper.json")
    types = {raw["kode"]: _entry(raw) for raw in data["fordringstyper"]}
    return FordringstypeCatalogue(types, data.get("stamdata_felter", {}), data.get("version", ""))
