"""Scenarios generated from data: a suite file with `matrix` (contract `harness/matrix`) instead of scenarios.

The matrix names four axes — fordringstyper (the service billed), debtors, life events (their steps per
integration role) and roles — and the combinations that are unlawful or meaningless (`exclude`, each with
its reason). `expand` makes one scenario per remaining combination, in the suite format, with the id
`MAT-<fordringstype>-<debtor>-<event>-<role>`; an amount written as a percentage ("87.5%") is that share of
the case's amount, rounded to øre, and "-25%" what is left of it when that share is paid. The suite loader
then checks the scenarios like hand-written ones.
"""

from __future__ import annotations

import itertools
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from testkommune.contracts.fordringstyper import fordringstyper

PERCENT = re.compile(r"^(-?)([0-9]+(?:\.[0-9]+)?)%$")
AMOUNT_KEYS = ("amount", "owed", "principal")
AXES = ("fordringstype", "debtor", "event", "role")


def expand(matrix: dict[str, Any]) -> list[dict[str, Any]]:
    """The scenarios of the matrix, in axis order (fordringstype, debtor, event, role)."""
    scenarios = []
    for combination in combinations(matrix):
        scenarios.append(_scenario(matrix, dict(zip(AXES, combination, strict=True))))
    return scenarios


def combinations(matrix: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Every (fordringstype, debtor, event, role) no exclusion removes."""
    axes = (matrix["fordringstyper"], matrix["debtors"], matrix["events"], matrix["roles"])
    product = itertools.product(*axes)
    return [c for c in product if excluded_by(matrix, dict(zip(AXES, c, strict=True))) is None]


def excluded_by(matrix: dict[str, Any], combination: dict[str, str]) -> str | None:
    """The reason the first matching exclusion gives for leaving this combination out, or None."""
    for rule in matrix.get("exclude", []):
        where, unless = rule["where"], rule.get("unless", {})
        if all(combination[axis] in values for axis, values in where.items()) and not (
            unless and all(combination[axis] in values for axis, values in unless.items())
        ):
            return str(rule["reason"])
    return None


def _scenario(matrix: dict[str, Any], at: dict[str, str]) -> dict[str, Any]:
    kind = matrix["fordringstyper"][at["fordringstype"]]
    debtor = matrix["debtors"][at["debtor"]]
    event = matrix["events"][at["event"]]
    role = matrix["roles"][at["role"]]
    known = fordringstyper().get(at["fordringstype"])
    name_da, name_en = (known.navn, known.name_en) if known else (kind["service"], kind["service"])
    case: dict[str, Any] = {"service": kind["service"], "amount": kind["amount"], "month": matrix["month"]}
    if kind.get("extra"):
        case["extra"] = dict(kind["extra"])
    given: dict[str, Any] = {"clock": matrix["clock"], "debtor": debtor["debtor"], "cases": [case]}
    if debtor.get("co_debtors"):
        given["co_debtors"] = list(debtor["co_debtors"])
    steps = event["steps"].get(at["role"])
    if steps is None:
        raise KeyError(f"event {at['event']} has no steps for role {at['role']} and no exclusion says why")
    base = Decimal(kind["amount"])
    return {
        "id": "-".join(("MAT", at["fordringstype"], at["debtor"], at["event"], role["id"])),
        "title": {
            lang: f"{event['title'][lang]}: {name} ({debtor['title'][lang]}, {role['title'][lang]})"
            for lang, name in (("da", name_da), ("en", name_en))
        },
        "covers": list(event.get("covers", [])),
        "source": f"{event['source']}; {kind['source']}",
        "role": at["role"],
        "given": given,
        "steps": [_resolved(step, base) for step in _flat(steps)],
    }


def _flat(steps: list[Any]) -> list[dict[str, Any]]:
    """Steps with every block (a list standing where a step stands) spliced in."""
    out: list[dict[str, Any]] = []
    for step in steps:
        out.extend(_flat(step) if isinstance(step, list) else [step])
    return out


def _resolved(node: Any, base: Decimal, key: str = "") -> Any:
    """The step with each percentage amount turned into kroner and øre of `base`."""
    if isinstance(node, dict):
        return {k: _resolved(v, base, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolved(v, base, key) for v in node]
    matched = PERCENT.match(node) if isinstance(node, str) and key in AMOUNT_KEYS else None
    if matched is None:
        return node
    share = (base * Decimal(matched.group(2)) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return str(base - share if matched.group(1) else share)
