"""The business events as driver methods, and the words a person is told for each (interactive driver)."""

from __future__ import annotations

from datetime import date
from typing import Any

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
from testkommune.contracts.model import BillingCase


class BusinessEvents:
    """Every business event of the driver protocol, each handed to `business_event` (one transport)."""

    def business_event(self, case: BillingCase, event: BusinessEvent, today: date) -> None:
        raise NotImplementedError

    def amount_corrected(self, case: BillingCase, event: AmountCorrected, today: date) -> None:
        self.business_event(case, event, today)

    def service_ended(self, case: BillingCase, event: ServiceEnded, today: date) -> None:
        self.business_event(case, event, today)

    def price_regulated(self, case: BillingCase, event: PriceRegulated, today: date) -> None:
        self.business_event(case, event, today)

    def raised_in_error(self, case: BillingCase, event: RaisedInError, today: date) -> None:
        self.business_event(case, event, today)

    def complaint_received(self, case: BillingCase, event: ComplaintReceived, today: date) -> None:
        self.business_event(case, event, today)

    def complaint_decided(self, case: BillingCase, event: ComplaintDecided, today: date) -> None:
        self.business_event(case, event, today)

    def debtor_paid(self, case: BillingCase, event: DebtorPaid, today: date) -> None:
        self.business_event(case, event, today)

    def written_off(self, case: BillingCase, event: WrittenOff, today: date) -> None:
        self.business_event(case, event, today)

    def hearing_to_answer(self, case: BillingCase, event: HearingToAnswer, today: date) -> None:
        self.business_event(case, event, today)


EVENT_WORDS = {
    "amount_corrected": "The amount owed is now {amount} kr ({reason}), with effect from {effective}. "
    "Correct the registered fordring.",
    "service_ended": "The service ended early: {last_day} was its last day. Write the fordring down by "
    "what is not owed after it.",
    "price_regulated": "The price was wrong from the start: the right amount is {amount} kr. Regulate the "
    "fordring.",
    "raised_in_error": "The fordring should never have been raised. Cancel or recall it.",
    "complaint_received": "The debtor complained about it. Stop its collection while the complaint is "
    "decided.",
    "complaint_decided": "The complaint was decided (upheld: {upheld}). Upheld: the debtor owes nothing; "
    "rejected: resume collection.",
    "debtor_paid": "The debtor paid {amount} kr to the kommune directly on {paid_on}. Register the payment.",
    "written_off": "The kommune writes the rest of it off.",
    "hearing_to_answer": "PSRM put it in hearing. Answer (confirm: {approve}) with: {justification}.",
}
"""What a person is asked to do for each business event (the interactive driver)."""


def tell(case: dict[str, Any], event: dict[str, Any]) -> str:
    """One instruction sentence for a business event on a case (as JSON)."""
    words = EVENT_WORDS[event["event"]].format(**event)
    return (
        f"Case {case['case_id']} ({case['amount']} kr, {case['period_from']}..{case['period_to']}): {words}"
    )
