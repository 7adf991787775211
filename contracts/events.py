"""The life of a case as business events: what happened in the business after a case was billed.

The harness never says which message to send. It tells the fagsystem, through an optional method named
after the event, `name(case, event, today)`, e.g. that the service ended early or the debtor complained;
the suite then judges what arrived at the test kommune. Each event is optional (a Protocol of its own):
a fagsystem declares those it handles in its conformance statement (`driver.ConformanceStatement`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from testkommune.contracts.model import BillingCase

CORRECTION_REASONS = ("ny_oplysning", "fejl_i_grundlag")
"""Why an amount was corrected after approval: new facts arrived, or the basis was wrong."""


@dataclass(frozen=True, slots=True)
class AmountCorrected:
    """The amount owed is now `amount`, for `reason`, with effect from `effective`."""

    amount: Decimal
    reason: str
    effective: date


@dataclass(frozen=True, slots=True)
class ServiceEnded:
    """The service ended early: `last_day` was its last day; nothing is owed for the days after it."""

    last_day: date


@dataclass(frozen=True, slots=True)
class PriceRegulated:
    """The price was wrong from the start: the right amount was always `amount`."""

    amount: Decimal


@dataclass(frozen=True, slots=True)
class RaisedInError:
    """The claim should never have been raised: the debtor owes nothing for it."""


@dataclass(frozen=True, slots=True)
class ComplaintReceived:
    """The debtor complained about the claim (with suspensive effect: no collection while it is decided)."""


@dataclass(frozen=True, slots=True)
class ComplaintDecided:
    """The complaint was decided: upheld (the debtor owes nothing) or rejected (collection goes on)."""

    upheld: bool


@dataclass(frozen=True, slots=True)
class DebtorPaid:
    """The debtor paid `amount` to the kommune directly (at its desk, by bank transfer) on `paid_on`."""

    amount: Decimal
    paid_on: date


@dataclass(frozen=True, slots=True)
class WrittenOff:
    """The kommune decided to write the rest of the claim off (e.g. it cannot be collected)."""


@dataclass(frozen=True, slots=True)
class HearingToAnswer:
    """PSRM put the claim in hearing: confirm its data (`approve`, with `justification`) or withdraw it."""

    approve: bool
    justification: str


BUSINESS_EVENTS: dict[str, type[BusinessEvent]] = {
    "amount_corrected": AmountCorrected,
    "service_ended": ServiceEnded,
    "price_regulated": PriceRegulated,
    "raised_in_error": RaisedInError,
    "complaint_received": ComplaintReceived,
    "complaint_decided": ComplaintDecided,
    "debtor_paid": DebtorPaid,
    "written_off": WrittenOff,
    "hearing_to_answer": HearingToAnswer,
}
"""Event name (= the fagsystem's method) → the event's class."""

BusinessEvent = (
    AmountCorrected
    | ServiceEnded
    | PriceRegulated
    | RaisedInError
    | ComplaintReceived
    | ComplaintDecided
    | DebtorPaid
    | WrittenOff
    | HearingToAnswer
)


def event_name(event: BusinessEvent) -> str:
    return next(name for name, cls in BUSINESS_EVENTS.items() if isinstance(event, cls))


def event_to_json(event: BusinessEvent) -> dict[str, Any]:
    """The event as JSON: its name under `event` and its fields as text, numbers or booleans."""
    out: dict[str, Any] = {"event": event_name(event)}
    for key, value in asdict(event).items():
        out[key] = value.isoformat() if isinstance(value, date) else _plain(value)
    return out


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


PARSE: dict[str, Any] = {"Decimal": Decimal, "date": date.fromisoformat}


def event_from_json(raw: dict[str, Any]) -> BusinessEvent:
    """The event `event_to_json` wrote (KeyError for an unknown event name)."""
    cls = BUSINESS_EVENTS[raw["event"]]
    values: dict[str, Any] = {}
    for f in fields(cls):
        value = raw[f.name]
        kind = str(f.type)
        values[f.name] = PARSE.get(kind, lambda v: v)(value)
    return cls(**values)


@runtime_checkable
class AmountCorrecting(Protocol):
    def amount_corrected(self, case: BillingCase, event: AmountCorrected, today: date) -> None:
        """Correct the registered fordring to the new amount, with the reason and effective date."""


@runtime_checkable
class ServiceEnding(Protocol):
    def service_ended(self, case: BillingCase, event: ServiceEnded, today: date) -> None:
        """Write the fordring down by what is not owed after the service's last day."""


@runtime_checkable
class PriceRegulating(Protocol):
    def price_regulated(self, case: BillingCase, event: PriceRegulated, today: date) -> None:
        """Regulate the fordring to the amount that was right from the start."""


@runtime_checkable
class RecallingInError(Protocol):
    def raised_in_error(self, case: BillingCase, event: RaisedInError, today: date) -> None:
        """Cancel or recall the fordring: it should never have been raised."""


@runtime_checkable
class ComplaintHandling(Protocol):
    def complaint_received(self, case: BillingCase, event: ComplaintReceived, today: date) -> None:
        """Stop collection of the fordring while the complaint is decided."""

    def complaint_decided(self, case: BillingCase, event: ComplaintDecided, today: date) -> None:
        """Upheld: the debtor owes nothing; rejected: resume collection."""


@runtime_checkable
class DirectPaymentHandling(Protocol):
    def debtor_paid(self, case: BillingCase, event: DebtorPaid, today: date) -> None:
        """Register the payment the debtor made to the kommune directly."""


@runtime_checkable
class WritingOff(Protocol):
    def written_off(self, case: BillingCase, event: WrittenOff, today: date) -> None:
        """Write off what is left of the fordring."""


@runtime_checkable
class HearingAnswering(Protocol):
    def hearing_to_answer(self, case: BillingCase, event: HearingToAnswer, today: date) -> None:
        """Answer PSRM's hearing of the fordring: confirm its data or withdraw it."""
