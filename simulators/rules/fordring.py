"""Stamdata rules a claim must meet: PSRM's entry filter, and the same checks at ØiR's debitor entry.

Each rule is a pure function of the claim's stamdata and a context (the simulated date, the
fordringstype catalogue, the claimant's agreement, a read-only view of state). Texts live in the error
catalogue; a rule only names its code, the field's path and the values that fill the text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from testkommune.contracts.findings import Finding
from testkommune.contracts.fordringstyper import FordringstypeCatalogue
from testkommune.contracts.identities import check_cpr, check_cvr, check_se
from testkommune.contracts.schemas import load_reference
from testkommune.simulators.rules import filtertabel
from testkommune.simulators.rules.registry import RuleSet
from testkommune.simulators.rules.stamdata import MainClaim, Stamdata


@dataclass(frozen=True, slots=True)
class Agreement:
    """A claimant's agreement (fordringshaveraftale): which fordringstyper it may send."""

    fordringshaver_id: str
    allowed_types: frozenset[str] | None = None
    s2s: bool = True
    minimum_oere: int | None = None
    allowed_actions: frozenset[str] | None = None
    allowed_arts: frozenset[str] = frozenset({"INDR", "MODR"})
    allowed_reasons: frozenset[str] | None = None
    allowed_system_se: frozenset[str] | None = None
    standardfilter: bool = True
    issued_akr: frozenset[str] = frozenset()
    """AKR numbers Gældsstyrelsen has issued for the claimant's foreign debtors (tenant setting)."""
    """Apply the annexes' shared filter core to types without their own table (tenant setting, inference)."""

    def allows_system(self, se: str) -> bool:
        """May the system with this SE number report for the claimant (code 400)?"""
        return self.allowed_system_se is None or se in self.allowed_system_se

    def allows(self, kode: str) -> bool:
        return self.allowed_types is None or kode in self.allowed_types

    def allows_action(self, kode: str) -> bool:
        return self.allowed_actions is None or kode in self.allowed_actions

    def allows_art(self, art: str) -> bool:
        return art in self.allowed_arts

    def allows_reason(self, reason: str) -> bool:
        return self.allowed_reasons is None or reason in self.allowed_reasons


@dataclass(frozen=True, slots=True)
class ClaimContext:
    """What a stamdata rule may read besides the claim."""

    today: date
    types: FordringstypeCatalogue
    agreement: Agreement
    claimant_ref_taken: Callable[[str], bool] = field(default=lambda ref: False)
    hovedfordring: MainClaim | None = None


entry_rules: RuleSet[Stamdata, ClaimContext] = RuleSet("stamdata")
"""Rules that hold whenever a claim is registered: at ØiR's debitor entry and in PSRM's filter."""

hoering_rules: RuleSet[Stamdata, ClaimContext] = RuleSet("psrm-hoering")
"""Type-specific filter rules: a deviation sends the claim to hearing (HØRING), not to rejection
(psrm.md §5.1, §5.4). At ØiR's debitor entry the same rules only warn."""


@entry_rules.rule("PSRM-151")
def fordringstype_i_aftalen(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """The fordringstype must exist and be allowed by the claimant's agreement (psrm.md §5.1)."""
    known = ctx.types.get(claim.fordringstype)
    if known is None or not known.aktiv or not ctx.agreement.allows(claim.fordringstype):
        yield Finding("PSRM-151", claim.path("fordringstype"), {"value": claim.fordringstype})


@entry_rules.rule("PSRM-201")
def hovedfordring_har_kategori_hf(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """Interest and fees go as related claims, never as a main claim (psrm.md §1.3, §4.2)."""
    known = ctx.types.get(claim.fordringstype)
    if claim.is_main and known is not None and not known.is_main:
        yield Finding("PSRM-201", claim.path("fordringstype"), {"value": claim.fordringstype})


@entry_rules.rule("PSRM-550")
def kraevede_stamdata(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """Every stamdata field the fordringstype requires is filled in (psrm.md §4.1, §11)."""
    known = ctx.types.get(claim.fordringstype)
    if known is None:
        return
    for name in sorted(known.kraevet):
        if not claim.present(name):
            yield Finding("PSRM-550", claim.path(name), {"field": name, "value": claim.fordringstype})


@entry_rules.rule("PSRM-REINDGI-DATOER", "PSRM-FORBUDT-STAMDATA")
def forbudte_stamdata(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """Stamdata the fordringstype forbids are empty (REINDGI: no stiftelse/forfald/SRB, psrm.md §5.1)."""
    known = ctx.types.get(claim.fordringstype)
    if known is None:
        return
    code = "PSRM-REINDGI-DATOER" if claim.fordringstype == "REINDGI" else "PSRM-FORBUDT-STAMDATA"
    for name in sorted(known.forbudt):
        if claim.present(name):
            yield Finding(code, claim.path(name), {"field": name, "value": claim.fordringstype})


@entry_rules.rule("PSRM-568")
def datoer_efter_1900(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """No date before 1900 (psrm.md §5.3, 568)."""
    for name, value in claim.dates():
        if value.year < 1900:
            yield Finding("PSRM-568", claim.path(name), {"field": name, "value": value.isoformat()})


@entry_rules.rule("PSRM-569")
def periode_fra_foer_til(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """Periode fra is on or before periode til (psrm.md §5.3, 569)."""
    if claim.periode_fra and claim.periode_til and claim.periode_fra > claim.periode_til:
        yield Finding(
            "PSRM-569",
            claim.path("periode_fra"),
            {"value": claim.periode_fra.isoformat(), "other": claim.periode_til.isoformat()},
        )


@hoering_rules.rule("PSRM-MIN-PERIODE")
def mindste_periode(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """A period at least as long as the fordringstype demands (CFFAKTU: one day, psrm.md §5.1). Both ends
    count: a day to the same day is one day (CFFAKTU R_6_19 'same day', filterregler.md §2.3)."""
    known = ctx.types.get(claim.fordringstype)
    if known is None or known.min_periode_dage is None or not (claim.periode_fra and claim.periode_til):
        return
    days = (claim.periode_til - claim.periode_fra).days + 1
    if claim.periode_fra <= claim.periode_til and days < known.min_periode_dage:
        yield Finding(
            "PSRM-MIN-PERIODE", claim.path("periode_fra"), {"days": days, "min_days": known.min_periode_dage}
        )


@entry_rules.rule("PSRM-152")
def valuta_dkk(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """Amounts are in DKK (psrm.md §5.3, 152)."""
    if claim.valuta != "DKK":
        yield Finding("PSRM-152", claim.path("valuta"), {"value": claim.valuta})


@entry_rules.rule("PSRM-HOVEDSTOL-SALDO")
def saldo_hoejst_hovedstol(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """The balance never exceeds the principal (psrm.md §4.1)."""
    if claim.hovedstol is not None and claim.saldo is not None and claim.saldo > claim.hovedstol:
        yield Finding(
            "PSRM-HOVEDSTOL-SALDO",
            claim.path("saldo"),
            {"value": claim.saldo / 100, "hovedstol": claim.hovedstol / 100},
        )


@entry_rules.rule("PSRM-215")
def mindstebeloeb(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """A claim is above the agreement's lower limit, when one is configured (psrm.md §5.2)."""
    limit = ctx.agreement.minimum_oere
    if limit is not None and claim.is_main and claim.saldo is not None and claim.saldo < limit:
        yield Finding("PSRM-215", claim.path("saldo"), {"value": claim.saldo / 100, "limit": limit / 100})


@entry_rules.rule("PSRM-528")
def skyldner_kun_en_gang(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """The same debtor is not listed twice (psrm.md §5.3, 528)."""
    seen: set[tuple[str, str]] = set()
    for debtor in claim.debtors:
        key = (debtor.kind, debtor.id)
        if key in seen:
            yield Finding("PSRM-528", debtor.path, {"value": debtor.id})
        seen.add(key)


@entry_rules.rule("PSRM-533")
def dom_og_forlig_ikke_i_fremtiden(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """Judgment and settlement dates are not in the future (psrm.md §5.3, 533)."""
    for debtor in claim.debtors:
        for name in ("domsdato", "forligsdato"):
            value = getattr(debtor, name)
            if value is not None and value > ctx.today:
                yield Finding("PSRM-533", claim.path(name), {"field": name, "value": value.isoformat()})


@hoering_rules.rule("PSRM-DOM-FORLIG-KRAEVET")
def dom_eller_forlig(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """Types founded on a judgment or settlement carry one (KFERSMF, psrm.md §5.1)."""
    known = ctx.types.get(claim.fordringstype)
    if known is None or not known.kraever_dom_eller_forlig:
        return
    if not any(d.domsdato or d.forligsdato for d in claim.debtors):
        yield Finding("PSRM-DOM-FORLIG-KRAEVET", claim.path("domsdato"), {"value": claim.fordringstype})


_ID_CHECKS = {"CPR": check_cpr, "CVR": check_cvr, "SE": check_se}


@entry_rules.rule(
    "ID-CPR-FORMAT",
    "ID-CPR-DATO",
    "ID-CPR-MOD11",
    "ID-CVR-FORMAT",
    "ID-CVR-MOD11",
    "ID-SE-FORMAT",
    "ID-SE-MOD11",
)
def skyldner_identitet(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """Each debtor's CPR, CVR or SE number is well formed (CPR modulus 11 only warns)."""
    for debtor in claim.debtors:
        check = _ID_CHECKS.get(debtor.kind)
        if check is None:
            continue
        for found in check(debtor.id):
            yield Finding(found.code, debtor.path, dict(found.params))


@cache
def _rate_codes() -> dict[str, dict[str, Any]]:
    """RenteSatsKode → meaning (contracts/reference/renter.json → rentevalg)."""
    return {c["kode"]: c for c in load_reference("renter.json")["rentevalg"]["satskoder"]}


@entry_rules.rule("PSRM-436", "PSRM-438", "PSRM-441", "PSRM-442", "PSRM-443")
def rentevalg(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """The interest choice is a valid combination (psrm.md §7; 436, 438, 441, 442, 443)."""
    choice = claim.rentevalg
    if not choice:
        return
    base = claim.path("rentevalg")
    code, rule, extra = (
        choice.get("RenteSatsKode"),
        choice.get("RenteRegelNummer"),
        choice.get("MerRenteSats"),
    )
    known = _rate_codes().get(code or "")
    if known is None or (known["regel"] != rule and rule != "002"):
        yield Finding("PSRM-442", f"{base}.RenteSatsKode", {"value": code})
    if rule == "002" and (code != "99" or (extra not in (None, 0))):
        yield Finding("PSRM-441", f"{base}.RenteRegelNummer", {"value": f"{rule}/{code}/{extra}"})
    if extra is not None and extra < 0:
        yield Finding("PSRM-438", f"{base}.MerRenteSats", {"value": extra})
    if extra not in (None, 0) and code not in ("03", "04", "07"):
        yield Finding("PSRM-436", f"{base}.MerRenteSats", {"value": extra})
    fordringstype = ctx.types.get(claim.fordringstype)
    charges = known is not None and (known["inddrivelsesrente"] or known["merrentesats"])
    if fordringstype is not None and not fordringstype.renter and charges:
        yield Finding("PSRM-443", f"{base}.RenteSatsKode", {"value": claim.fordringstype})


psrm_filter: RuleSet[Stamdata, ClaimContext] = entry_rules.extend("psrm-indgangsfilter")
"""PSRM's entry filter: the stamdata rules plus those that depend on the day of receipt and on state."""


@psrm_filter.rule("PSRM-SRB")
def srb_passeret(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """SRB must have passed when the claim is received: PSRM rejects it otherwise (psrm.md §1.3, §5.1)."""
    if claim.is_main and claim.srb is not None and claim.srb >= ctx.today:
        yield Finding(
            "PSRM-SRB", claim.path("srb"), {"value": claim.srb.isoformat(), "today": ctx.today.isoformat()}
        )


@psrm_filter.rule("PSRM-FORAELDET")
def ikke_foraeldet(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """The submitted forældelsesdato has not passed at receipt (psrm.md §9). A type whose filter table
    answers otherwise (KTBRFLX: hearing) is left to its table (filterregler.md §2.4)."""
    table = filtertabel.filtertabel(claim.fordringstype)
    if table is not None and not any(r.daekket_af == "PSRM-FORAELDET" for r in table.regler):
        return
    for debtor in claim.debtors:
        if debtor.foraeldelsesdato is not None and debtor.foraeldelsesdato < ctx.today:
            yield Finding(
                "PSRM-FORAELDET",
                claim.path("foraeldelsesdato"),
                {"value": debtor.foraeldelsesdato.isoformat(), "today": ctx.today.isoformat()},
            )


@psrm_filter.rule("PSRM-5")
def akr_udstedt(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """An AKR number exists only once Gældsstyrelsen has issued it on the claimant's request (psrm.md §4.3
    [S]); a debtor by an AKR number never issued does not exist (code 5, psrm.md §5.3)."""
    for debtor in claim.debtors:
        if debtor.kind == "AKR" and debtor.id not in ctx.agreement.issued_akr:
            yield Finding("PSRM-5", debtor.path, {"value": debtor.id})


@psrm_filter.rule("PSRM-486")
def fordringshaver_reference_unik(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """The claimant's reference is not already used by another claim at PSRM (psrm.md §5.3, 486)."""
    if ctx.claimant_ref_taken(claim.reference):
        yield Finding("PSRM-486", claim.path("reference"), {"value": claim.reference})


@psrm_filter.rule(*filtertabel.REJECT_CODES)
def filtertabel_afvist(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """The fordringstype's own filter table: deviations that reject the claim (filterregler.md §1–2)."""
    yield from filtertabel.run(claim, ctx, hearing=False)


@hoering_rules.rule(*filtertabel.HEARING_CODES)
def filtertabel_hoering(claim: Stamdata, ctx: ClaimContext) -> Iterator[Finding]:
    """The fordringstype's own filter table: deviations that mean hearing (filterregler.md §1–2)."""
    yield from filtertabel.run(claim, ctx, hearing=True)
