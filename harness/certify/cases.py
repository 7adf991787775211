"""The cases a scenario bills, made from its `given` data and the run's seed (same seed, same cases)."""

from __future__ import annotations

import zlib
from datetime import date
from decimal import Decimal

from testkommune.contracts.model import BillingCase, Party
from testkommune.harness.certify.suite import Case, Scenario
from testkommune.harness.testdata import CitizenFactory, CompanyFactory, seed_all


def scenario_seed(seed: int, scenario_id: str) -> int:
    """Each scenario's data depends only on the run's seed and its own id."""
    return (seed * 1_000_003 + zlib.crc32(scenario_id.encode())) % 2**31


def make_cases(scenario: Scenario, seed: int) -> list[BillingCase]:
    seed_all(scenario_seed(seed, scenario.id))
    debtor: Party
    if scenario.debtor == "virksomhed":
        debtor = CompanyFactory.create()
    elif scenario.debtor == "person-uden-fast-bopael":
        debtor = CitizenFactory.create(address=None)
    else:
        debtor = CitizenFactory.create()
    return [_case(scenario, i, spec, debtor) for i, spec in enumerate(scenario.cases, start=1)]


def _case(scenario: Scenario, index: int, spec: Case, debtor: Party) -> BillingCase:
    first = date.fromisoformat(spec.month + "-01")
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    last = date.fromordinal(following.toordinal() - 1)
    return BillingCase(
        case_id=f"{scenario.id}-{index}",
        service=spec.service,
        debtor=debtor,
        amount=Decimal(spec.amount),
        period_from=first,
        period_to=last,
        description=f"{spec.service} {spec.month}",
        extra=dict(spec.extra),
    )
