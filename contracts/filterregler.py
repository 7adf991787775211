"""PSRM's per-fordringstype entry-filter tables (`contracts/reference/filterregler/*.json`), loaded once.

Each table is Gældsstyrelsen's "Regler i indgangsfilteret i NyMF" for one fordringstype, as data: a rule id
(R_1_1, R_6_19 …), its outcome (AFVIST or HOERING) and one check of a known kind. The simulator runs them
with one evaluator per kind (`simulators/rules/filtertabel.py`); the table chooses which apply.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from testkommune import contracts

KINDS = (
    "art",
    "kategori",
    "udfyldt",
    "tom",
    "ikke_begge",
    "mindst_en",
    "beloeb",
    "dato",
    "samme_kalender",
    "bankdag",
)
"""The check kinds a table rule may use; each rule carries exactly one."""


@dataclass(frozen=True, slots=True)
class FilterRegel:
    regel: str
    udfald: str  # AFVIST | HOERING
    kind: str
    spec: Any
    side: str
    daekket_af: str | None = None
    note: str | None = None

    @property
    def hearing(self) -> bool:
        return self.udfald == "HOERING"


@dataclass(frozen=True, slots=True)
class FilterTabel:
    fordringstype: str
    gaelder_for: tuple[str, ...]
    navn: str
    kilde: Mapping[str, str]
    regler: tuple[FilterRegel, ...]


def _regel(raw: Mapping[str, Any]) -> FilterRegel:
    kinds = [k for k in KINDS if k in raw]
    if len(kinds) != 1:
        raise ValueError(f"filter rule {raw.get('regel')} must carry exactly one check kind, has {kinds}")
    return FilterRegel(
        regel=raw["regel"],
        udfald=raw["udfald"],
        kind=kinds[0],
        spec=raw[kinds[0]],
        side=raw.get("side", ""),
        daekket_af=raw.get("daekket_af"),
        note=raw.get("note"),
    )


def _tabel(raw: Mapping[str, Any]) -> FilterTabel:
    return FilterTabel(
        fordringstype=raw["fordringstype"],
        gaelder_for=tuple(raw["gaelder_for"]),
        navn=raw["navn"],
        kilde=raw["kilde"],
        regler=tuple(_regel(r) for r in raw["regler"]),
    )


@cache
def filtertabeller() -> Mapping[str, FilterTabel]:
    """Fordringstype code (as the claimant sends it) → its filter table."""
    out: dict[str, FilterTabel] = {}
    for path in sorted((contracts.ROOT / "reference" / "filterregler").glob("*.json")):
        table = _tabel(json.loads(path.read_text(encoding="utf-8")))
        for kode in table.gaelder_for:
            out[kode] = table
    return out


def filtertabel(kode: str) -> FilterTabel | None:
    return filtertabeller().get(kode)


@cache
def standardtabel() -> FilterTabel:
    """The rules every annex shares, for fordringstyper without a table of their own (our inference;
    `contracts/reference/filterregel_standard.json`)."""
    path = contracts.ROOT / "reference" / "filterregel_standard.json"
    return _tabel(json.loads(path.read_text(encoding="utf-8")))
