"""A billing case to and from JSON (evidence bundles, the HTTP trigger and the agent protocol)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from testkommune.contracts.model import Address, BillingCase, CoDebtor, Party


def case_to_json(case: BillingCase) -> dict[str, Any]:
    out = asdict(case)
    out["amount"] = str(case.amount)
    out["period_from"] = case.period_from.isoformat()
    out["period_to"] = case.period_to.isoformat()
    return out


def party_from_json(raw: dict[str, Any]) -> Party:
    debtor = dict(raw)
    address = debtor.pop("address", None)
    return Party(**debtor, address=Address(**address) if address else None)


def case_from_json(raw: dict[str, Any]) -> BillingCase:
    return BillingCase(
        case_id=raw["case_id"],
        service=raw["service"],
        debtor=party_from_json(raw["debtor"]),
        amount=Decimal(raw["amount"]),
        period_from=date.fromisoformat(raw["period_from"]),
        period_to=date.fromisoformat(raw["period_to"]),
        description=raw["description"],
        extra=raw.get("extra", {}),
        co_debtors=tuple(
            CoDebtor(party_from_json(c["party"]), c["relation"]) for c in raw.get("co_debtors", ())
        ),
    )
