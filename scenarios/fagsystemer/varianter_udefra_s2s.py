"""The outside team's fagsystems in the direct role (psrm-s2s), broken and lawful, listed with the rest
in `varianter_udefra.py`. They build their PSRM messages through `s2s.py` / `psrm_client.py`."""

from __future__ import annotations

from datetime import date
from typing import Any

from testkommune.contracts.driver import KommuneConnection
from testkommune.contracts.events import DebtorPaid, HearingToAnswer, ServiceEnded
from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.livsforloeb import pro_rata
from testkommune.scenarios.fagsystemer.s2s import ForaeldrebetalingS2S


class S2SKlageSomFejl(ForaeldrebetalingS2S):
    """Defect (direct role): recalls a complained claim with FEJL (raised in error), not KLAG; when the
    complaint is rejected it cannot lawfully send the claim back."""

    name = "foraeldrebetaling-s2s-klage-som-fejl"

    def recall(self, claim: Any, reason: str, today: date) -> None:
        super().recall(claim, "FEJL" if reason == "KLAG" else reason, today)


class S2SOphoerSomIndbetaling(ForaeldrebetalingS2S):
    """Defect (direct role): writes the unused days of an ended service down as a payment (INDB, virkning
    the last day), not as a regulation (REGU): PSRM treats it as money received."""

    name = "foraeldrebetaling-s2s-ophoer-som-indbetaling"

    def service_ended(self, case: BillingCase, event: ServiceEnded, today: date) -> None:
        claim = self.own[case.case_id]
        owed = pro_rata(case.amount, case.period_from, case.period_to, event.last_day)
        difference = claim.amount - owed
        claim.amount, claim.restance = owed, claim.restance - difference
        if difference > 0 and claim.state == "PSRM":
            self.write_down(claim, difference, "INDB", event.last_day, today)


class S2SIndbVirkningIDag(ForaeldrebetalingS2S):
    """Defect (direct role): dates an INDB write-down on the day it is sent, not the day the debtor paid."""

    name = "foraeldrebetaling-s2s-indb-virkning-i-dag"

    def debtor_paid(self, case: BillingCase, event: DebtorPaid, today: date) -> None:
        super().debtor_paid(case, DebtorPaid(event.amount, today), today)


class S2SOverdragerVedForfald(ForaeldrebetalingS2S):
    """Defect (direct role): hands an unpaid claim to PSRM the day after forfald, before its SRB passed."""

    name = "foraeldrebetaling-s2s-overdrager-ved-forfald"

    def run_daily(self, today: date) -> None:
        assert self.psrm is not None, "connect() first"
        self.nemkonto.daily(today)
        self.psrm.fetch_receipts()
        for claim in self.own.values():  # the reference's forfald is the period's first day
            if claim.state == "OPKRAEVNING" and today > claim.case.period_from and claim.restance > 0:
                self.hand_over(claim, today)


class S2SHoeringUdenBegrundelse(ForaeldrebetalingS2S):
    """Defect (direct role): confirms a claim in hearing without the justification PSRM asks for."""

    name = "foraeldrebetaling-s2s-hoering-uden-begrundelse"

    def hearing_to_answer(self, case: BillingCase, event: HearingToAnswer, today: date) -> None:
        super().hearing_to_answer(case, HearingToAnswer(event.approve, ""), today)


class S2SSrb21(ForaeldrebetalingS2S):
    """Lawful (direct role): the kommune's policy gives 21 days from forfald to SRB; it hands over after."""

    name = "foraeldrebetaling-s2s-srb-21"
    srb_days_after_forfald = 21


class S2SLoebenummer(ForaeldrebetalingS2S):
    """Lawful (direct role): numbers its claims from a running counter (S2S-000001, …)."""

    name = "foraeldrebetaling-s2s-loebenummer"

    def connect(self, kommune: KommuneConnection) -> None:
        super().connect(kommune)
        self.numbers: dict[str, str] = {}

    def reference(self, case: BillingCase) -> str:
        key = f"{case.case_id}/{case.period_from:%Y%m}"
        return self.numbers.setdefault(key, f"S2S-{len(self.numbers) + 1:06d}")
