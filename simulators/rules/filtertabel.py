"""PSRM's per-fordringstype filter tables run generically: one evaluator per check kind.

The table (`contracts/reference/filterregler/<type>.json`, loaded by `testkommune.contracts.filterregler`)
chooses which rules apply to a fordringstype and whether a deviation rejects the claim (AFVIST) or sends it
to hearing (HOERING). A rule another stamdata rule already answers for (`daekket_af`) is not raised twice.
Source: Gældsstyrelsen's fordringstype annexes, "Regler i indgangsfilteret i NyMF" (filterregler.md §1–2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, Protocol

from dateutil.relativedelta import relativedelta
from testkommune.contracts.filterregler import FilterRegel, FilterTabel, standardtabel
from testkommune.contracts.filterregler import filtertabel as filtertabel
from testkommune.contracts.findings import Finding
from testkommune.simulators.rules.kalender import is_bank_day
from testkommune.simulators.rules.stamdata import Debtor, MainClaim, Stamdata

STEMS = {
    "art": "ART",
    "kategori": "KATEGORI",
    "udfyldt": "UDFYLDT",
    "tom": "TOM",
    "ikke_begge": "DOM-OG-FORLIG",
    "mindst_en": "DOM-ELLER-FORLIG",
    "beloeb": "BELOEB",
    "dato": "DATO",
    "samme_kalender": "KALENDER",
    "bankdag": "BANKDAG",
}
REJECT_CODES = tuple(f"PSRM-FILTER-{stem}" for stem in STEMS.values())
HEARING_CODES = tuple(f"PSRM-HOERING-{stem}" for stem in STEMS.values())
_DEBTOR_FIELDS = ("foraeldelsesdato", "domsdato", "forligsdato", "dom_eller_forlig")
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "=": lambda a, b: a == b,
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
}
_SHOW_OP = {"<": "<", "<=": "≤", "=": "=", ">=": "≥", ">": ">"}


class FilterContext(Protocol):
    """What a filter table reads besides the claim (read-only: `ClaimContext` is frozen)."""

    @property
    def today(self) -> date: ...
    @property
    def hovedfordring(self) -> MainClaim | None: ...
    @property
    def agreement(self) -> Any: ...


Params = dict[str, Any]
Evaluator = Callable[[FilterRegel, Stamdata, FilterContext], Iterator[tuple[str, Params]]]
"""Yields (the stamdata name a finding points at, the finding's parameters) for each deviation."""


def run(claim: Stamdata, ctx: FilterContext, *, hearing: bool) -> Iterator[Finding]:
    """The deviations from the claim's filter table whose outcome is hearing (or, if not, rejection)."""
    table = filtertabel(claim.fordringstype)
    if table is None and ctx.agreement.standardfilter:
        table = standardtabel()
    if table is None:
        return
    for rule, code, evaluate in _applicable(table, hearing):
        for name, params in evaluate(rule, claim, ctx):
            yield Finding(
                code,
                claim.path(name),
                {"regel": rule.regel, "fordringstype": claim.fordringstype, "felt": name} | params,
            )


_Applicable = tuple[tuple[FilterRegel, str, "Evaluator"], ...]
_APPLICABLE: dict[tuple[int, bool], tuple[FilterTabel, _Applicable]] = {}


def _applicable(table: FilterTabel, hearing: bool) -> _Applicable:
    """The table's rules with this outcome that no other rule answers for, each with its code and
    evaluator: chosen once per table (tables are loaded once and never change)."""
    known = _APPLICABLE.get((id(table), hearing))
    if known is not None and known[0] is table:
        return known[1]
    prefix = "PSRM-HOERING-" if hearing else "PSRM-FILTER-"
    chosen = tuple(
        (rule, prefix + STEMS[rule.kind], EVALUATORS[rule.kind])
        for rule in table.regler
        if rule.hearing == hearing and not rule.daekket_af
    )
    _APPLICABLE[(id(table), hearing)] = (table, chosen)
    return chosen


def _art(rule: FilterRegel, claim: Stamdata, ctx: FilterContext) -> Iterator[tuple[str, Params]]:
    if claim.art is not None and claim.art not in rule.spec:
        yield "art", {"value": claim.art, "krav": " / ".join(rule.spec)}


def _kategori(rule: FilterRegel, claim: Stamdata, ctx: FilterContext) -> Iterator[tuple[str, Params]]:
    if claim.is_main != (rule.spec == "HF"):
        yield "fordringstype", {"value": "HF" if claim.is_main else "RF", "krav": rule.spec}


def _udfyldt(rule: FilterRegel, claim: Stamdata, ctx: FilterContext) -> Iterator[tuple[str, Params]]:
    if not claim.present(rule.spec):
        yield rule.spec, {"value": "", "krav": rule.spec}


def _any_debtor(claim: Stamdata, name: str) -> bool:
    return any(getattr(d, name) is not None for d in claim.debtors)


def _tom(rule: FilterRegel, claim: Stamdata, ctx: FilterContext) -> Iterator[tuple[str, Params]]:
    for name in rule.spec:
        filled = _any_debtor(claim, name) if name in _DEBTOR_FIELDS else claim.present(name)
        if filled:
            yield name, {"value": name, "krav": name}


def _ikke_begge(rule: FilterRegel, claim: Stamdata, ctx: FilterContext) -> Iterator[tuple[str, Params]]:
    first, second = rule.spec
    if any(getattr(d, first) and getattr(d, second) for d in claim.debtors):
        yield second, {"value": f"{first} + {second}", "krav": f"{first} / {second}"}


def _mindst_en(rule: FilterRegel, claim: Stamdata, ctx: FilterContext) -> Iterator[tuple[str, Params]]:
    if not claim.debtors or any(not any(getattr(d, n) for n in rule.spec) for d in claim.debtors):
        yield rule.spec[0], {"value": "", "krav": " / ".join(rule.spec)}


def _beloeb(rule: FilterRegel, claim: Stamdata, ctx: FilterContext) -> Iterator[tuple[str, Params]]:
    spec = rule.spec
    value = getattr(claim, spec["felt"])
    limit = getattr(claim, spec["andet"]) if "andet" in spec else round(spec["graense_kr"] * 100)
    if value is None or limit is None or _OPS[spec["op"]](value, limit):
        return
    other = spec["andet"] if "andet" in spec else f"{spec['graense_kr']} kr"
    krav = f"{_SHOW_OP[spec['op']]} {other} ({limit / 100:.2f})"
    yield spec["felt"], {"value": f"{value / 100:.2f}", "krav": krav}


def _value(name: str, claim: Stamdata, debtor: Debtor | None, ctx: FilterContext) -> date | None:
    if name == "modtagelsesdato":
        return ctx.today
    if name.startswith("hovedfordring."):
        main = ctx.hovedfordring
        if main is None:
            return None
        return main.modtaget if name.endswith("modtagelsesdato") else main.forfaldsdato
    if name == "dom_eller_forlig":
        return (debtor.domsdato or debtor.forligsdato) if debtor else None
    if name in _DEBTOR_FIELDS:
        return getattr(debtor, name) if debtor else None
    return getattr(claim, name)


def _show_plus(plus: dict[str, int]) -> str:
    parts = [f"{'+' if n > 0 else '−'} {abs(n)}{unit[0]}" for unit, n in plus.items() if n]
    return (" " + " ".join(parts)) if parts else ""


class _Limit:
    """One date rule's limit as a function of its base date: the offset built once, each base date's
    limit computed once (a rule table is precomputed per base date as calls meet them)."""

    MEMO = 4096

    __slots__ = ("_bank_days", "_delta", "_memo", "_next_month", "spec")

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self._next_month = spec.get("afrund") == "foerste_i_naeste_maaned"
        self._delta = relativedelta(months=1) if self._next_month else relativedelta(**spec.get("plus", {}))
        self._bank_days = spec.get("foko_lukkedage") == "med" and spec["op"] in ("<=", "<")
        self._memo: dict[date, date] = {}

    def __call__(self, base: date) -> date:
        limit = self._memo.get(base)
        if limit is None:
            if len(self._memo) >= self.MEMO:
                self._memo.clear()
            limit = self._memo[base] = self._compute(base)
        return limit

    def _compute(self, base: date) -> date:
        if self._next_month:
            return base.replace(day=1) + self._delta
        limit = base + self._delta
        if self._bank_days:
            while not is_bank_day(limit):  # our reading of "med hensyn til FOKO-lukkedage" [I]
                limit += relativedelta(days=1)
        return limit


_LIMITS: dict[int, _Limit] = {}


def _limit(spec: dict[str, Any], base: date) -> date:
    known = _LIMITS.get(id(spec))
    if known is None or known.spec is not spec:
        known = _LIMITS[id(spec)] = _Limit(spec)
    return known(base)


def _dato(rule: FilterRegel, claim: Stamdata, ctx: FilterContext) -> Iterator[tuple[str, Params]]:
    spec = rule.spec
    per_debtor = spec["felt"] in _DEBTOR_FIELDS or spec["andet"] in _DEBTOR_FIELDS
    for debtor in claim.debtors if per_debtor else (None,):
        if spec.get("kun_hvis") and not any(getattr(debtor, n) for n in spec["kun_hvis"]):
            continue
        value, base = _value(spec["felt"], claim, debtor, ctx), _value(spec["andet"], claim, debtor, ctx)
        if value is None or base is None:
            continue
        limit = _limit(spec, base)
        if not _OPS[spec["op"]](value, limit):
            other = spec["andet"] + _show_plus(spec.get("plus", {}))
            if spec.get("afrund"):
                other = f"1. i måneden efter {spec['andet']}"
            krav = f"{_SHOW_OP[spec['op']]} {other} ({limit.isoformat()})"
            yield spec["felt"], {"value": value.isoformat(), "krav": krav}


def _samme_kalender(rule: FilterRegel, claim: Stamdata, ctx: FilterContext) -> Iterator[tuple[str, Params]]:
    start, end = claim.periode_fra, claim.periode_til
    if start is None or end is None:
        return
    same = start.year == end.year and (rule.spec == "aar" or start.month == end.month)
    if not same:
        unit = "år" if rule.spec == "aar" else "måned"
        yield (
            "periode_til",
            {"value": f"{start.isoformat()}..{end.isoformat()}", "krav": f"= periode_fra ({unit})"},
        )


def _bankdag(rule: FilterRegel, claim: Stamdata, ctx: FilterContext) -> Iterator[tuple[str, Params]]:
    value = getattr(claim, rule.spec)
    if value is None or not is_bank_day(value):
        yield rule.spec, {"value": value.isoformat() if value else "", "krav": "bankdag"}


EVALUATORS: dict[str, Evaluator] = {
    "art": _art,
    "kategori": _kategori,
    "udfyldt": _udfyldt,
    "tom": _tom,
    "ikke_begge": _ikke_begge,
    "mindst_en": _mindst_en,
    "beloeb": _beloeb,
    "dato": _dato,
    "samme_kalender": _samme_kalender,
    "bankdag": _bankdag,
}
