"""Observations to and from JSON, so a verdict can be recomputed from the bundle alone."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from harness.certify.observation import Observation
from harness.core.model import Address, BillingCase, Party


def case_to_json(case: BillingCase) -> dict[str, Any]:
    out = asdict(case)
    out["amount"] = str(case.amount)
    out["period_from"] = case.period_from.isoformat()
    out["period_to"] = case.period_to.isoformat()
    return out


def case_from_json(raw: dict[str, Any]) -> BillingCase:
    debtor = dict(raw["debtor"])
    address = debtor.pop("address", None)
    party = Party(**debtor, address=Address(**address) if address else None)
    return BillingCase(
        case_id=raw["case_id"],
        service=raw["service"],
        debtor=party,
        amount=Decimal(raw["amount"]),
        period_from=date.fromisoformat(raw["period_from"]),
        period_to=date.fromisoformat(raw["period_to"]),
        description=raw["description"],
        extra=raw.get("extra", {}),
    )


def observation_to_json(observation: Observation) -> dict[str, Any]:
    return {
        "scenario_id": observation.scenario_id,
        "seed": observation.seed,
        "base_url": observation.base_url,
        "headers": {k: v for k, v in observation.headers.items() if k.lower() != "authorization"},
        "cases": [case_to_json(c) for c in observation.cases],
        "billed": [case_to_json(c) for c in observation.billed],
        "state": observation.state,
        "journal": observation.journal,
    }


def observation_from_json(raw: dict[str, Any]) -> Observation:
    return Observation(
        state=raw["state"],
        journal=raw["journal"],
        cases=[case_from_json(c) for c in raw["cases"]],
        billed=[case_from_json(c) for c in raw["billed"]],
        base_url=raw["base_url"],
        headers=raw["headers"],
        scenario_id=raw["scenario_id"],
        seed=raw["seed"],
    )
