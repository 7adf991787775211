"""The ERP's business rules for one Finansbilag: pure functions, each naming the catalogue codes it raises.

A bilag is booked whole or rejected whole (fejlretning ved kilde, oeir.md §7): every rule runs, and every
finding goes back to the fagsystem in the forretningskvittering; nothing is ever patched. The facts a rule
needs from the ERP's books (was this bilag booked before? which long id goes with this short one?) are read
by `service` into a `BilagKontekst` first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from testkommune.contracts.findings import Finding, join_path
from testkommune.contracts.money import kroner
from testkommune.simulators.erp.bilag import Bilag
from testkommune.simulators.erp.kontoplan import Kontostreng
from testkommune.simulators.erp.omsaetning import Mangel, Omsaetningstabel
from testkommune.simulators.rules.registry import RuleSet

NOT_SET = "—"


@dataclass(frozen=True, slots=True)
class BilagKontekst:
    """What the ERP knows when it processes a bilag."""

    kommune: str
    kommune_cvr: str | None
    aabne_perioder: tuple[str, ...]  # "YYYY-MM"
    tabel: Omsaetningstabel
    lang_for_kort: str | None = None  # the long id booked bilag carried with this short id
    kort_for_lang: str | None = None  # the short id booked bilag carried with this long id
    bogfoert_i: str | None = None  # TransaktionsID that already booked this dataleverandør's BilagID
    omsat: tuple[Kontostreng | list[Mangel], ...] | None = None  # per line `tabel.omsaet`, when known


def aabne_perioder(configured: list[str] | None, today: date, months_back: int = 1) -> tuple[str, ...]:
    """The open months: as configured for the tenant, else this month and `months_back` before it."""
    if configured is not None:
        return tuple(sorted(set(configured)))
    return _default_perioder(today, months_back)


@lru_cache(maxsize=64)
def _default_perioder(today: date, months_back: int = 1) -> tuple[str, ...]:
    months = []
    year, month = today.year, today.month
    for _ in range(months_back + 1):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return tuple(sorted(months))


def leveranceform_modtages(leverance: str, erp: dict[str, Any], profil: str | None) -> Finding | None:
    """ERP-LEVERANCEFORM: the delivery form (`straks` or `masse`) is one this ERP takes (its settings
    `erp.straks` / `erp.masse`, by default its profile's figures); None when it is."""
    if erp[leverance]:
        return None
    other = "masse" if leverance == "straks" else "straks"
    return Finding(
        "ERP-LEVERANCEFORM",
        "$",
        {"value": leverance, "expected": other if erp[other] else NOT_SET, "profil": profil or NOT_SET},
    )


finansbilag_rules: RuleSet[Bilag, BilagKontekst] = RuleSet("erp-finansbilag")


@finansbilag_rules.rule("ERP-KOMMUNE")
def kommune_er_bogfoeringssystemets(bilag: Bilag, ctx: BilagKontekst) -> Iterator[Finding]:
    """The bilag belongs in this kommune's books: its kommunenummer, or its CVR when one is configured."""
    expected = ctx.kommune + (f" / CVR {ctx.kommune_cvr}" if ctx.kommune_cvr else "")
    base = join_path(bilag.path, "Myndighed")
    if bilag.kommunenummer is not None and bilag.kommune != ctx.kommune:
        yield Finding(
            "ERP-KOMMUNE",
            join_path(base, "Kommunenummer"),
            {"value": bilag.kommunenummer, "expected": expected},
        )
    if bilag.cvr is not None and bilag.cvr != ctx.kommune_cvr:
        yield Finding("ERP-KOMMUNE", join_path(base, "CVRNummer"), {"value": bilag.cvr, "expected": expected})


@finansbilag_rules.rule("ERP-DATALEVERANDOER-MANGLER")
def dataleverandoer_angivet(bilag: Bilag, ctx: BilagKontekst) -> Iterator[Finding]:
    """Both forms of the dataleverandør identification carry a value (not 0000, not blank)."""
    if bilag.kort == "0000":
        field = "DataleverandøridentifikationKort"
        yield Finding(
            "ERP-DATALEVERANDOER-MANGLER", join_path(bilag.path, field), {"field": field, "value": bilag.kort}
        )
    if not bilag.lang.strip():
        field = "DataleverandørIdentifikationLang"
        yield Finding(
            "ERP-DATALEVERANDOER-MANGLER",
            join_path(bilag.path, field),
            {"field": field, "value": repr(bilag.lang)},
        )


@finansbilag_rules.rule("ERP-DATALEVERANDOER-UOVERENSSTEMMELSE")
def dataleverandoer_konsistent(bilag: Bilag, ctx: BilagKontekst) -> Iterator[Finding]:
    """The short and the long identification name the same dataleverandør as on the bilag booked before."""
    if ctx.lang_for_kort is not None and ctx.lang_for_kort != bilag.lang:
        field = "DataleverandørIdentifikationLang"
        yield Finding(
            "ERP-DATALEVERANDOER-UOVERENSSTEMMELSE",
            join_path(bilag.path, field),
            {"field": field, "value": bilag.lang, "expected": f"{bilag.kort} = {ctx.lang_for_kort}"},
        )
    if ctx.kort_for_lang is not None and ctx.kort_for_lang != bilag.kort:
        field = "DataleverandøridentifikationKort"
        yield Finding(
            "ERP-DATALEVERANDOER-UOVERENSSTEMMELSE",
            join_path(bilag.path, field),
            {"field": field, "value": bilag.kort, "expected": f"{ctx.kort_for_lang} = {bilag.lang}"},
        )


@finansbilag_rules.rule("ERP-BILAG-DUBLET")
def bilag_ikke_bogfoert_foer(bilag: Bilag, ctx: BilagKontekst) -> Iterator[Finding]:
    """A dataleverandør's BilagID is booked once; a rejected bilag may come again under the same id."""
    if ctx.bogfoert_i is not None:
        yield Finding(
            "ERP-BILAG-DUBLET",
            join_path(bilag.path, "BilagID"),
            {"value": bilag.bilag_id, "leverandoer": bilag.kort, "transaktion": ctx.bogfoert_i},
        )


@finansbilag_rules.rule("ERP-PERIODE-LUKKET")
def bogfoeringsdato_i_aaben_periode(bilag: Bilag, ctx: BilagKontekst) -> Iterator[Finding]:
    """The Bogføringsdato falls in a month the ERP has open."""
    period = bilag.bogfoeringsdato.strftime("%Y-%m")
    if period not in ctx.aabne_perioder:
        yield Finding(
            "ERP-PERIODE-LUKKET",
            join_path(bilag.path, "Bogføringsdato"),
            {
                "value": bilag.bogfoeringsdato.isoformat(),
                "period": period,
                "open": ", ".join(ctx.aabne_perioder) or NOT_SET,
            },
        )


@finansbilag_rules.rule("SCHEMA-BELOEB")
def beloeb_i_hele_oere(bilag: Bilag, ctx: BilagKontekst) -> Iterator[Finding]:
    """Every amount is whole øre (at most two decimals)."""
    for line in bilag.linjer:
        if line.oere is None:
            yield Finding(
                "SCHEMA-BELOEB", join_path(line.path, "Beløb"), {"field": "Beløb", "value": line.beloeb}
            )


@finansbilag_rules.rule("ERP-BILAG-UBALANCE")
def bilag_balancerer(bilag: Bilag, ctx: BilagKontekst) -> Iterator[Finding]:
    """Σ debet = Σ kredit (judged only when every amount is whole øre)."""
    if bilag.amounts_valid and bilag.debet != bilag.kredit:
        yield Finding(
            "ERP-BILAG-UBALANCE",
            join_path(bilag.path, "Finanspostering"),
            {
                "value": str(kroner(bilag.debet - bilag.kredit)),
                "debet": str(kroner(bilag.debet)),
                "kredit": str(kroner(bilag.kredit)),
            },
        )


@finansbilag_rules.rule("ERP-SORTIMENTSVAERDI-UKENDT", "ERP-MANGLENDE-OMSAETNING")
def linjer_omsat(bilag: Bilag, ctx: BilagKontekst) -> Iterator[Finding]:
    """Every line's klassifikation values are in the sortiment and the omsætningstabel maps them."""
    for i, line in enumerate(bilag.linjer):
        mapped = ctx.omsat[i] if ctx.omsat is not None else ctx.tabel.omsaet(line.sortiment)
        if isinstance(mapped, list):
            for mangel in mapped:
                yield Finding(
                    mangel.code,
                    join_path(line.path, *mangel.path),
                    {"line": line.nummer, "field": mangel.dimension, "value": mangel.value},
                )
