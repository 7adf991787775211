"""The life of a case in a scenario: business-event steps, co-debtors, and what a fagsystem declared it does.

A step `event: {name, case, ...}` tells the fagsystem what happened in the business (contracts/events.py);
it never says which message to send. Whatever the scenario needs that the fagsystem's conformance statement
does not declare (an event, a feature such as co-debtors, its integration role) ends the scenario NOT
SUPPORTED before the fagsystem is asked to do it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from testkommune.contracts.driver import (
    OPTIONAL_ACTIONS,
    ActionNotSupportedError,
    conformance_of,
)
from testkommune.contracts.events import (
    AmountCorrected,
    BusinessEvent,
    ComplaintDecided,
    ComplaintReceived,
    DebtorPaid,
    HearingToAnswer,
    PriceRegulated,
    RaisedInError,
    ServiceEnded,
    WrittenOff,
)
from testkommune.contracts.model import BillingCase, CoDebtor, Party
from testkommune.harness.certify.suite import Scenario
from testkommune.harness.testdata import CitizenFactory

OERE = Decimal("0.01")


def require_scenario(scenario: Scenario, fagsystem: Any) -> None:
    """NOT SUPPORTED (ActionNotSupportedError) when the scenario needs a role or feature not declared."""
    statement = conformance_of(fagsystem)
    name = getattr(fagsystem, "name", "fagsystem")
    if scenario.role is not None and scenario.role != statement.role:
        raise ActionNotSupportedError("role", f"the {scenario.role} role", name)
    if scenario.co_debtors and not statement.covers("co_debtors"):
        raise ActionNotSupportedError("co_debtors", "co_debtors", name)
    if sum(kind == "pay_out" for kind, _ in scenario.steps) > 1 and not statement.covers("payout_series"):
        raise ActionNotSupportedError("pay_out", "payout_series", name)


def declared(fagsystem: Any) -> dict[str, Any]:
    """The fagsystem's conformance statement as data (for the evidence bundle's statement)."""
    statement = conformance_of(fagsystem)
    return {"role": statement.role, "events": sorted(statement.events)}


def optional_action(fagsystem: Any, step: str) -> Any:
    """The fagsystem's method for an optional action it declared, or ActionNotSupportedError."""
    method = OPTIONAL_ACTIONS.get(step, step)
    found = getattr(fagsystem, method, None)
    if not callable(found) or not conformance_of(fagsystem).covers(step):
        raise ActionNotSupportedError(step, method, getattr(fagsystem, "name", "fagsystem"))
    return found


def with_co_debtors(scenario: Scenario, cases: list[BillingCase]) -> list[BillingCase]:
    """The cases with the scenario's co-debtors (the same persons on every case; call after seeding)."""
    if not scenario.co_debtors:
        return cases
    co = tuple(CoDebtor(_co_debtor(), relation) for relation in scenario.co_debtors)  # type: ignore[arg-type]  # suite YAML, unchecked Literal
    return [dataclasses.replace(c, co_debtors=co) for c in cases]


def _co_debtor() -> Party:
    return CitizenFactory.create()


def run_event(
    fagsystem: Any, value: dict[str, Any], today: date, cases: list[BillingCase], billed: list[BillingCase]
) -> tuple[Any, BillingCase, BusinessEvent]:
    """Build the step's event, check that the fagsystem declared it, and return (method, case, event).

    A changed amount is the case's new amount from here on (in `cases` and `billed`), so every later check
    judges the claim against what is owed now."""
    index = int(value["case"]) - 1
    case = cases[index]
    event = build_event(value, case, today)
    method = optional_action(fagsystem, value["name"])
    new_amount = owed_after(case, event)
    if new_amount != case.amount:
        changed = dataclasses.replace(case, amount=new_amount)
        cases[index] = changed
        billed[:] = [changed if c.case_id == changed.case_id else c for c in billed]
    return method, case, event


def build_event(value: dict[str, Any], case: BillingCase, today: date) -> BusinessEvent:
    """The business event a step describes; dates default to today, amounts to what the case says."""
    name = value["name"]
    if name == "amount_corrected":
        return AmountCorrected(Decimal(value["amount"]), value.get("reason", "ny_oplysning"), today)
    if name == "service_ended":
        return ServiceEnded(case.period_from.replace(day=int(value["last_day"])))
    if name == "price_regulated":
        return PriceRegulated(Decimal(value["amount"]))
    if name == "complaint_decided":
        return ComplaintDecided(bool(value["upheld"]))
    if name == "debtor_paid":  # the payment may have been made days before the kommune learns of it
        paid_on = today - timedelta(days=int(value.get("paid_days_ago", 0)))
        return DebtorPaid(Decimal(value.get("amount", str(case.amount))), paid_on)
    if name == "hearing_to_answer":
        return HearingToAnswer(
            bool(value.get("approve", True)), value.get("justification", "Data er kontrolleret og korrekte")
        )
    plain: dict[str, Callable[[], BusinessEvent]] = {
        "raised_in_error": RaisedInError,
        "complaint_received": ComplaintReceived,
    }
    return (plain | {"written_off": WrittenOff})[name]()


def owed_after(case: BillingCase, event: BusinessEvent) -> Decimal:
    """The case's amount after the event: corrected, regulated or pro rata up to the service's last day."""
    if isinstance(event, AmountCorrected | PriceRegulated):
        return event.amount
    if isinstance(event, ServiceEnded):
        return pro_rata(case.amount, case.period_from, case.period_to, event.last_day)
    return case.amount


def pro_rata(amount: Decimal, first: date, last: date, last_day: date) -> Decimal:
    """What is owed for the days up to and including `last_day` of a period paid by the day."""
    days = (last - first).days + 1
    used = min(max((last_day - first).days + 1, 0), days)
    if used == days:
        return amount
    return (amount * used / days).quantize(OERE, rounding=ROUND_HALF_UP)
