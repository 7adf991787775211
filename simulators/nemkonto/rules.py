"""NemKonto's rules: pure functions, each naming the catalogue codes it raises.

`modtagekontrol` runs when a bundle arrives (oeir.md §4.4: Retursvar2, modtagekontrol [C]): a finding at
`$.GroupHeader…` refuses the whole bundle; a finding at `$.PaymentTransaction[i]…` refuses that payment
only. `udbetalingskontrol` runs per payment when the bundle is processed on the simulated clock. The facts
a rule needs from NemKonto's books are read by `service` into a context first.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from testkommune.contracts.findings import Finding, join_path
from testkommune.contracts.money import kroner, wire
from testkommune.simulators.nemkonto.anmodning import UKOMPLET, Bundt, Transaktion
from testkommune.simulators.rules.registry import RuleSet


@dataclass(frozen=True, slots=True)
class Modtagekontekst:
    """What NemKonto knows when a bundle arrives."""

    grp_id_taget_af: str | None = None  # TransaktionsID of the bundle that already took this GrpId
    referencer_taget: Mapping[str, str] = field(default_factory=dict)  # EndToEndId → TransaktionsID


@dataclass(frozen=True, slots=True)
class Udbetalingskontekst:
    """What NemKonto knows when it processes one payment: the payee's NemKonto account, if any."""

    nemkonto: Mapping[str, str] | None


modtagekontrol: RuleSet[Bundt, Modtagekontekst] = RuleSet("nemkonto-modtagekontrol")
udbetalingskontrol: RuleSet[Transaktion, Udbetalingskontekst] = RuleSet("nemkonto-udbetaling")


@modtagekontrol.rule("NK-BUNDT-DUBLET")
def grp_id_unik(bundt: Bundt, ctx: Modtagekontekst) -> Iterator[Finding]:
    """The bundle reference is unique within myndighed + dataleverandør (double-send control [C])."""
    if ctx.grp_id_taget_af is not None:
        yield Finding(
            "NK-BUNDT-DUBLET",
            "$.GroupHeader.GrpId",
            {
                "value": bundt.grp_id,
                "myndighed": bundt.myndighed,
                "leverandoer": bundt.leverandoer,
                "transaktion": ctx.grp_id_taget_af,
            },
        )


@modtagekontrol.rule("NK-BUNDT-ANTAL")
def antal_stemmer(bundt: Bundt, ctx: Modtagekontekst) -> Iterator[Finding]:
    """AntalTransaktioner equals the number of payments in the bundle."""
    if bundt.antal != len(bundt.transaktioner):
        yield Finding(
            "NK-BUNDT-ANTAL",
            "$.GroupHeader.AntalTransaktioner",
            {"value": bundt.antal, "actual": len(bundt.transaktioner)},
        )


@modtagekontrol.rule("NK-BUNDT-KONTROLSUM")
def kontrolsum_stemmer(bundt: Bundt, ctx: Modtagekontekst) -> Iterator[Finding]:
    """KontrolSum equals the sum of the payments' amounts."""
    total = sum(t.oere for t in bundt.transaktioner)
    if bundt.kontrolsum_oere != total:
        yield Finding(
            "NK-BUNDT-KONTROLSUM",
            "$.GroupHeader.KontrolSum",
            {
                "value": wire(bundt.kontrolsum_oere),
                "kontrolsum": kroner(bundt.kontrolsum_oere),
                "actual": kroner(total),
            },
        )


@modtagekontrol.rule("NK-ENDTOENDID-DUBLET")
def end_to_end_id_unik(bundt: Bundt, ctx: Modtagekontekst) -> Iterator[Finding]:
    """Each payment reference is unique within myndighed + dataleverandør: not used by an earlier bundle,
    nor twice in this one (the first use in the bundle keeps it)."""
    seen: dict[str, int] = {}
    for t in bundt.transaktioner:
        where = None
        if t.end_to_end_id in ctx.referencer_taget:
            where = f"TransaktionsID {ctx.referencer_taget[t.end_to_end_id]}"
        elif t.end_to_end_id in seen:
            where = f"PaymentTransaction[{seen[t.end_to_end_id]}] i samme bundt"
        else:
            seen[t.end_to_end_id] = t.position
        if where is not None:
            yield Finding(
                "NK-ENDTOENDID-DUBLET",
                join_path(t.path, "EndToEndId"),
                {
                    "value": t.end_to_end_id,
                    "myndighed": bundt.myndighed,
                    "leverandoer": bundt.leverandoer,
                    "where": where,
                },
            )


@udbetalingskontrol.rule("NK-NEMKONTO-MANGLER")
def nemkonto_findes(transaktion: Transaktion, ctx: Udbetalingskontekst) -> Iterator[Finding]:
    """An ukomplet payment needs the payee to have a NemKonto (oeir.md §4.4 [C])."""
    if transaktion.betalingsform == UKOMPLET and ctx.nemkonto is None:
        yield Finding(
            "NK-NEMKONTO-MANGLER",
            join_path(transaktion.path, "Modtager", transaktion.modtager_field),
            {"field": transaktion.modtager_type, "value": transaktion.modtager},
        )


def bundle_level(finding: Finding) -> bool:
    """Does this modtagekontrol finding refuse the whole bundle (rather than one payment)?"""
    return finding.path.startswith("$.GroupHeader")


def transaction_index(finding: Finding) -> int | None:
    """The payment a modtagekontrol finding belongs to, or None for a bundle-level finding."""
    prefix = "$.PaymentTransaction["
    if not finding.path.startswith(prefix):
        return None
    return int(finding.path[len(prefix) :].split("]", 1)[0])
