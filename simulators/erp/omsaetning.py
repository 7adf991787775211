"""Sortiment and omsætningstabel: how the ERP turns a line's klassifikation values into a kontostreng.

A line names one value per dimension (Ydelsestype, Art, Omkostningssted) by UUID or code. The rows of the
omsætningstabel map combinations of Ydelsestype and Art to the authorised part of the kontostreng — the row
naming the most values wins, the first on a tie — and each Omkostningssted value maps to the kommune's own
cost centre (oeir.md §6). Pure: parsing and mapping only; where a table is stored is `service`'s business.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from testkommune.contracts.findings import Finding, json_path
from testkommune.contracts.schemas import contract_set
from testkommune.simulators.erp.kontoplan import Kontoplan, Kontostreng, kontoplan

DIMENSIONER = ("Ydelsestype", "Art", "Omkostningssted")
BETINGELSE = ("Ydelsestype", "Art")
OMKOSTNINGSSTED = "Omkostningssted"
STANDARD_FILE = ("erp", "standard_omsaetningstabel.json")
MAPPED_MAX = 4096
"""How many distinct line sortiments a table remembers the mapping of."""


@dataclass(frozen=True, slots=True)
class Vaerdi:
    """One value of the sortiment: its UUID, its code and the klassifikation (dimension) it belongs to."""

    id: str
    kode: str
    klassifikation: str
    titel: str | None


@dataclass(frozen=True, slots=True)
class Omsaetning:
    betingelse: tuple[tuple[str, str], ...]  # (dimension, code), in BETINGELSE order
    kontostreng: Kontostreng


@dataclass(frozen=True, slots=True)
class Mangel:
    """Why a line could not be mapped: a value unknown to the sortiment, or a missing mapping."""

    code: str
    dimension: str
    value: str
    path: tuple[str, ...]  # under the line, e.g. ("Sortiment", "Art")


@dataclass(frozen=True)
class Omsaetningstabel:
    """A tenant's sortiment and omsætningstabel, ready for mapping."""

    vaerdier: tuple[Vaerdi, ...]
    omsaetninger: tuple[Omsaetning, ...]
    omkostningssteder: Mapping[str, str]
    navn: str | None = None
    _by_code: dict[tuple[str, str], Vaerdi] = field(init=False, repr=False, compare=False)
    _by_id: dict[tuple[str, str], Vaerdi] = field(init=False, repr=False, compare=False)
    _mapped: dict[tuple[tuple[str, str], ...], Kontostreng | list[Mangel]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {(v.klassifikation, v.kode): v for v in self.vaerdier})
        object.__setattr__(self, "_by_id", {(v.klassifikation, v.id.lower()): v for v in self.vaerdier})
        object.__setattr__(self, "_mapped", {})

    def resolve(self, dimension: str, value: str) -> Vaerdi | None:
        """The sortiment value a line names by its code (exactly) or its UUID (in any case)."""
        return self._by_code.get((dimension, value)) or self._by_id.get((dimension, value.lower()))

    def omsaet(self, sortiment: Mapping[str, str]) -> Kontostreng | list[Mangel]:
        """The kontostreng for a line's values, or every reason it has none (remembered per table)."""
        key = tuple(sortiment.items())
        found = self._mapped.get(key)
        if found is None:
            if len(self._mapped) >= MAPPED_MAX:  # bounded: lines name values freely
                self._mapped.clear()
            found = self._mapped[key] = self._omsaet(sortiment)
        return list(found) if isinstance(found, list) else found

    def _omsaet(self, sortiment: Mapping[str, str]) -> Kontostreng | list[Mangel]:
        resolved = {dim: self.resolve(dim, value) for dim, value in sortiment.items()}
        unknown = [
            Mangel("ERP-SORTIMENTSVAERDI-UKENDT", dim, value, ("Sortiment", dim))
            for dim, value in sortiment.items()
            if resolved[dim] is None
        ]
        if unknown:
            return unknown
        codes = {dim: known.kode for dim, known in resolved.items() if known is not None}  # all known here
        missing: list[Mangel] = []
        best = self._best_row(codes)
        if best is None:
            missing.extend(self._why_unmapped(sortiment, codes))
        omkostningssted = None
        if OMKOSTNINGSSTED in codes:
            omkostningssted = self.omkostningssteder.get(codes[OMKOSTNINGSSTED])
            if omkostningssted is None:
                value = sortiment[OMKOSTNINGSSTED]
                missing.append(
                    Mangel("ERP-MANGLENDE-OMSAETNING", OMKOSTNINGSSTED, value, ("Sortiment", OMKOSTNINGSSTED))
                )
        if missing or best is None:
            return missing
        return best.kontostreng.with_omkostningssted(omkostningssted)

    def _best_row(self, codes: Mapping[str, str]) -> Omsaetning | None:
        best: Omsaetning | None = None
        for row in self.omsaetninger:
            matches = all(codes.get(dim) == code for dim, code in row.betingelse)
            if matches and (best is None or len(row.betingelse) > len(best.betingelse)):
                best = row
        return best

    def _why_unmapped(self, sortiment: Mapping[str, str], codes: Mapping[str, str]) -> list[Mangel]:
        """Name the value no row mentions; when each value is used somewhere, name the combination."""
        used = {pair for row in self.omsaetninger for pair in row.betingelse}
        dims = [dim for dim in BETINGELSE if dim in codes]
        lonely = [dim for dim in dims if (dim, codes[dim]) not in used]
        if lonely:
            return [
                Mangel("ERP-MANGLENDE-OMSAETNING", dim, sortiment[dim], ("Sortiment", dim)) for dim in lonely
            ]
        return [
            Mangel(
                "ERP-MANGLENDE-OMSAETNING",
                "+".join(dims),
                "+".join(sortiment[dim] for dim in dims),
                ("Sortiment",),
            )
        ]

    def document(self) -> dict[str, Any]:
        """The table as the admin contract `erp/Omsaetningstabel_I` writes it (values named by code)."""
        sortiment: dict[str, Any] = {
            "Værdier": [
                {"Id": v.id, "Kode": v.kode, "Klassifikation": v.klassifikation}
                | ({"Titel": v.titel} if v.titel else {})
                for v in self.vaerdier
            ]
        }
        if self.navn:
            sortiment = {"Navn": self.navn} | sortiment
        return {
            "Sortiment": sortiment,
            "Omsætninger": [
                {"Betingelse": dict(row.betingelse), "Kontostreng": _authorised(row.kontostreng)}
                for row in self.omsaetninger
            ],
            "Omkostningssteder": [
                {"Værdi": value, "Omkostningssted": local} for value, local in self.omkostningssteder.items()
            ],
        }


def _authorised(konto: Kontostreng) -> dict[str, str]:
    out = {
        "Funktion": konto.funktion,
        "Dranst": konto.dranst,
        "Gruppering": konto.gruppering,
        "Art": konto.art,
    }
    return {k: v for k, v in out.items() if v is not None}


def parse_tabel(
    doc: Mapping[str, Any], plan: Kontoplan | None = None, keep_sortiment: Omsaetningstabel | None = None
) -> Omsaetningstabel | list[Finding]:
    """A table from a document valid against `erp/Omsaetningstabel_I`, or every reason it cannot be used.

    With no Sortiment in `doc`, the sortiment of `keep_sortiment` is kept.
    """
    plan = plan or kontoplan()
    problems: list[Finding] = []
    if "Sortiment" in doc or keep_sortiment is None:
        raw = doc.get("Sortiment", {"Værdier": []})
        vaerdier = tuple(
            Vaerdi(v["Id"].lower(), v["Kode"], v["Klassifikation"], v.get("Titel")) for v in raw["Værdier"]
        )
        navn = raw.get("Navn")
        problems.extend(_duplicate_values(vaerdier))
    else:
        vaerdier, navn = keep_sortiment.vaerdier, keep_sortiment.navn
    probe = Omsaetningstabel(vaerdier=vaerdier, omsaetninger=(), omkostningssteder={}, navn=navn)
    rows: list[Omsaetning] = []
    seen: dict[tuple[tuple[str, str], ...], int] = {}
    for i, row in enumerate(doc.get("Omsætninger", [])):
        path = json_path("Omsætninger", i)
        betingelse = []
        for dim in BETINGELSE:
            if dim in row["Betingelse"]:
                value = probe.resolve(dim, row["Betingelse"][dim])
                if value is None:
                    problems.append(
                        _unusable(f"{path}.Betingelse.{dim}", dim, row["Betingelse"][dim], "sortiment")
                    )
                else:
                    betingelse.append((dim, value.kode))
        key = tuple(betingelse)
        if key in seen and len(key) == len(row["Betingelse"]):
            problems.append(
                _unusable(f"{path}.Betingelse", "Betingelse", _show(key), f"Omsætninger[{seen[key]}]")
            )
        seen.setdefault(key, i)
        konto = Kontostreng.from_wire(row["Kontostreng"])
        problems.extend(plan.check(konto, f"{path}.Kontostreng"))
        rows.append(Omsaetning(key, konto))
    omkostningssteder: dict[str, str] = {}
    for i, entry in enumerate(doc.get("Omkostningssteder", [])):
        value = probe.resolve(OMKOSTNINGSSTED, entry["Værdi"])
        path = json_path("Omkostningssteder", i, "Værdi")
        if value is None:
            problems.append(_unusable(path, OMKOSTNINGSSTED, entry["Værdi"], "sortiment"))
        elif value.kode in omkostningssteder:
            problems.append(_unusable(path, OMKOSTNINGSSTED, entry["Værdi"], "Omkostningssteder"))
        else:
            omkostningssteder[value.kode] = entry["Omkostningssted"]
    if problems:
        return problems
    return Omsaetningstabel(
        vaerdier=vaerdier, omsaetninger=tuple(rows), omkostningssteder=omkostningssteder, navn=navn
    )


def _duplicate_values(vaerdier: tuple[Vaerdi, ...]) -> list[Finding]:
    found = []
    ids: set[str] = set()
    codes: set[tuple[str, str]] = set()
    for i, v in enumerate(vaerdier):
        path = json_path("Sortiment", "Værdier", i)
        if v.id in ids:
            found.append(_unusable(f"{path}.Id", "Id", v.id, "Sortiment.Værdier"))
        if (v.klassifikation, v.kode) in codes:
            found.append(_unusable(f"{path}.Kode", "Kode", v.kode, "Sortiment.Værdier"))
        ids.add(v.id)
        codes.add((v.klassifikation, v.kode))
    return found


def _unusable(path: str, field: str, value: str, where: str) -> Finding:
    detail = "findes ikke i / not in" if where == "sortiment" else "står to gange i / given twice in"
    return Finding(
        "ERP-OMSAETNING-UGYLDIG", path, {"field": field, "value": value, "detail": f"{detail} {where}"}
    )


def _show(key: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{dim}={code}" for dim, code in key)


@cache
def standard_document() -> dict[str, Any]:
    """The default table every tenant starts with (`contracts/erp/standard_omsaetningstabel.json`)."""
    path = contract_set().root.joinpath(*STANDARD_FILE)
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def standard_tabel() -> Omsaetningstabel:
    parsed = parse_tabel(standard_document()["Omsaetningstabel"])
    if isinstance(parsed, list):
        raise RuntimeError(f"the standard omsætningstabel is inconsistent: {parsed}")
    return parsed
