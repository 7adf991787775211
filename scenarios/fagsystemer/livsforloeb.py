"""The life of a case after billing, through ØiR (the reference fagsystem's business events).

While the kommune's debitor system holds a claim (opkrævning), the fagsystem keeps it right through ØiR
(SF1590_B): it writes it down or up with a reason (NedskrivFordring / OpskrivFordring), pauses its
collection while a complaint is decided (RetFordringTilstand BERO, then GENOPTAG), cancels it when it should
never have been raised, the complaint is upheld or the kommune writes it off (ANNULLER), and registers a
payment the debtor made to the kommune directly (ForetagIndbetaling, SF1590_B_03). Once the claim is handed
over to PSRM, the debitor system speaks for it: the ØiR role answers no PSRM hearing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from testkommune.contracts.events import (
    AmountCorrected,
    ComplaintDecided,
    ComplaintReceived,
    DebtorPaid,
    PriceRegulated,
    RaisedInError,
    ServiceEnded,
    WrittenOff,
)
from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.katalog import OIR_B01, OIR_B03

OIR_EVENTS = frozenset(
    {
        "finans",
        "finans_masse",
        "correct",
        "pay_out",
        "amount_corrected",
        "service_ended",
        "price_regulated",
        "raised_in_error",
        "complaint_received",
        "complaint_decided",
        "debtor_paid",
        "written_off",
        "co_debtors",
        "payout_series",
    }
)
"""What the reference declares in the ØiR role (its conformance statement)."""

REASONS = {  # the Årsag the debitor system and the debtor's letters show, by why the amount changed
    "ny_oplysning": "Ny oplysning efter godkendelse",
    "fejl_i_grundlag": "Fejl i beregningsgrundlaget",
    "ophoer": "Ophør af plads",
    "regulering": "Takst reguleret fra start",
}


class OirLivsforloeb:
    """Mixin of the reference fagsystem: each business event as the ØiR message it calls for."""

    claims: list[Any]
    _deliver: Callable[..., dict[str, Any] | None]
    _header: Callable[[date], dict[str, str]]
    reference: Callable[[BillingCase], str]

    def claim_of(self, case: BillingCase) -> Any:
        reference = self.reference(case)
        return next(c for c in self.claims if c.reference == reference)

    def amount_corrected(self, case: BillingCase, event: AmountCorrected, today: date) -> None:
        """Write the fordring down or up to the corrected amount; the reason says why and from when."""
        why = f"{REASONS.get(event.reason, event.reason)}, virkning {event.effective.isoformat()}"
        self.regulate(case, event.amount, why, today)

    def service_ended(self, case: BillingCase, event: ServiceEnded, today: date) -> None:
        """Write the fordring down by the days after the service's last day (paid per day of the period)."""
        owed = pro_rata(case.amount, case.period_from, case.period_to, event.last_day)
        self.regulate(case, owed, f"{REASONS['ophoer']} {event.last_day.isoformat()}", today)

    def price_regulated(self, case: BillingCase, event: PriceRegulated, today: date) -> None:
        self.regulate(case, event.amount, REASONS["regulering"], today)

    def raised_in_error(self, case: BillingCase, event: RaisedInError, today: date) -> None:
        self.set_state(case, "ANNULLER", today)

    def complaint_received(self, case: BillingCase, event: ComplaintReceived, today: date) -> None:
        self.set_state(case, "BERO", today)

    def complaint_decided(self, case: BillingCase, event: ComplaintDecided, today: date) -> None:
        self.set_state(case, "ANNULLER" if event.upheld else "GENOPTAG", today)

    def written_off(self, case: BillingCase, event: WrittenOff, today: date) -> None:
        self.set_state(case, "ANNULLER", today)

    def debtor_paid(self, case: BillingCase, event: DebtorPaid, today: date) -> None:
        """Register the payment in the debitor system on the claim it was for (ForetagIndbetaling)."""
        claim = self.claim_of(case)
        payment = {
            "IndbetalingID": self.payment_id(case, event),
            "SkyldnerID": case.debtor.id,
            "Beløb": float(event.amount),
            "BetalingDato": event.paid_on.isoformat(),
        } | ({"FordringID": claim.fordring_id} if claim.fordring_id else {})
        message = {"Hovedoplysninger": self._header(today), "ForetagIndbetaling": payment}
        self._deliver(f"{OIR_B03}/ForetagIndbetaling", message)

    def payment_id(self, case: BillingCase, event: DebtorPaid) -> str:
        """One id per payment: the same payment registered twice is booked once."""
        return f"IB-{case.case_id}-{uuid.uuid4().hex[:8]}"

    # -- the messages --------------------------------------------------------------------------------
    def regulate(self, case: BillingCase, new_amount: Decimal, reason: str, today: date) -> None:
        """Write the registered fordring down or up by the difference to `new_amount` (never a new
        fordring, never a changed resend of the old delivery)."""
        claim = self.claim_of(case)
        difference = new_amount - claim.amount
        if not difference:
            return
        operation = "NedskrivFordring" if difference < 0 else "OpskrivFordring"
        body = {"FordringReference": claim.reference, "Beløb": float(abs(difference)), "Årsag": reason[:100]}
        answer = self._deliver(
            f"{OIR_B01}/{operation}", {"Hovedoplysninger": self._header(today), operation: body}
        )
        if _approved(answer):
            claim.amount = new_amount  # restance moves with the debitor system's NEDSKRIVNING/OPSKRIVNING

    def set_state(self, case: BillingCase, state: str, today: date) -> None:
        """Ask the debitor system to pause (BERO), resume (GENOPTAG) or cancel (ANNULLER) the fordring."""
        claim = self.claim_of(case)
        message = {
            "Hovedoplysninger": self._header(today),
            "RetFordringTilstand": {"FordringReference": claim.reference, "FordringTilstand": state},
        }
        if _approved(self._deliver(f"{OIR_B01}/RetFordringTilstand", message)):
            claim.state = {"BERO": "BERO", "GENOPTAG": "OPKRAEVNING", "ANNULLER": "ANNULLERET"}[state]


def pro_rata(amount: Decimal, first: date, last: date, last_day: date) -> Decimal:
    """What is owed for the days up to and including `last_day` of a period paid by the day."""
    days = (last - first).days + 1
    used = min(max((last_day - first).days + 1, 0), days)
    return amount if used == days else (amount * used / days).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _approved(answer: dict[str, Any] | None) -> bool:
    return answer is not None and answer["Forretningskvittering"]["Status"] == "GODKENDT"
