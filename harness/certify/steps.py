"""What each kind of scenario step does to the fagsystem and the kommune: `bill`, `event`, `advance_until`,
`fault` … — one method per kind, looked up in `ACTIONS`.

`StepActions` is the acting half of `runner.Runner`; the runner records the steps and judges `expect`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from testkommune.contracts.driver import ActionNotSupportedError, Fagsystem
from testkommune.contracts.errors import FagsystemError
from testkommune.contracts.model import BillingCase
from testkommune.harness.certify import business
from testkommune.harness.certify.client import AdminClient
from testkommune.harness.certify.gather import erp_masse_due, finans_bilag_month
from testkommune.harness.certify.observation import Observation, sent_references
from testkommune.harness.certify.suite import Scenario
from testkommune.harness.certify.timeline import target_day

DIRECT_ROLE_MAX_DAYS = 60  # how long the harness steps day by day waiting for a direct-role hand-over
ERP_CLOSING_MAX_MONTHS = 24  # how far ahead the harness asks the ERP when a month closes


class FagsystemRaisedError(FagsystemError):
    """The fagsystem under test raised while the harness asked it to act."""


def as_fagsystem(call: Any, *args: Any) -> None:
    """Call the fagsystem; whatever it raises (but a declared gap) is its own defect."""
    try:
        call(*args)
    except ActionNotSupportedError:
        raise
    except Exception as exc:
        raise FagsystemRaisedError(str(exc)) from exc


@dataclass(frozen=True, slots=True)
class Step:
    """One step as the runner takes it: its kind and value, the simulated day it starts on, the scenario's
    cases and those billed so far (the scenario's own lists: a step may change them)."""

    kind: str
    value: Any
    today: date
    cases: list[BillingCase]
    billed: list[BillingCase]
    scenario: Scenario

    def chosen(self) -> list[BillingCase]:
        """The cases the step names: `all`, or the one numbered (from 1)."""
        return self.cases if self.value == "all" else [self.cases[int(self.value) - 1]]


class StepActions:
    """The runner's acting half: what each step kind asks of the fagsystem and the kommune."""

    admin: AdminClient
    fagsystem: Fagsystem
    _current_step: int
    _references: dict[str, list[str]]

    def act(self, step: Step) -> None:
        """Do what `step` asks (`expect` is the runner's own: it judges)."""
        action = ACTIONS.get(step.kind)
        if action is not None:
            action(self, step)

    def _bill(self, step: Step) -> None:
        for case in step.chosen():
            step.billed.append(case)
            self._for_case(case, functools.partial(as_fagsystem, self.fagsystem.bill, case, step.today))

    def _finans(self, step: Step) -> None:
        chosen = step.chosen()
        post = self._optional(step.kind)
        as_fagsystem(post, chosen, step.today, step.kind == "finans_masse")

    def _pay_out(self, step: Step) -> None:
        chosen = step.chosen()
        as_fagsystem(self._optional(step.kind), chosen, step.today)

    def _nemkonto_register(self, step: Step) -> None:
        for debtor in {c.debtor.id: c.debtor for c in step.cases}.values():
            for identity in step.value:
                number = {"cpr": debtor.id, "cvr": debtor.id, "se": debtor.se}[identity]
                if number and (identity == "cpr") == (debtor.kind == "person"):
                    self.admin.nemkonto_konto(identity.upper(), number)

    def _correct(self, step: Step) -> None:
        cases, billed = step.cases, step.billed
        index = int(step.value["case"]) - 1
        corrected = dataclasses.replace(cases[index], amount=Decimal(str(step.value["amount"])))
        cases[index] = corrected
        billed[:] = [corrected if c.case_id == corrected.case_id else c for c in billed]
        correct = self._optional(step.kind)
        self._for_case(corrected, lambda: as_fagsystem(correct, corrected, step.today))

    def _psrm_indbetaling(self, step: Step) -> None:
        amount = float(Decimal(str(step.value["amount"])))
        self.admin.psrm_indbetaling(step.cases[0].debtor.id, amount, step.today)

    def _modregning(self, step: Step) -> None:
        amount = float(Decimal(str(step.value["amount"])))
        self.admin.modregning(step.cases[0].debtor.id, amount, f"{step.scenario.id}-{self._current_step}")

    def _event(self, step: Step) -> None:
        """What happened in the business to a case (contracts/events.py)."""
        act, case, event = business.run_event(
            self.fagsystem, dict(step.value), step.today, step.cases, step.billed
        )
        self._for_case(case, lambda: as_fagsystem(act, case, event, step.today))

    def _daily(self, step: Step) -> None:
        as_fagsystem(self.fagsystem.run_daily, step.today)

    def _settings(self, step: Step) -> None:
        self.admin.settings(dict(step.value))

    def _erp_perioder(self, step: Step) -> None:
        self.admin.erp_perioder(list(step.value) if step.value is not None else None)

    def _advance(self, step: Step) -> None:
        self.admin.advance(str(step.value))

    def _advance_to(self, step: Step) -> None:
        self.admin.advance_to(str(step.value))

    def _advance_until(self, step: Step) -> None:
        """Move the clock to a day that follows from the billed claims' own dates and the debitor profile
        (see `timeline`); nothing moves when no claim carries the date or the day has come already.
        `erp_masse_svar`: the instant the ERP named for processing the masseleverancer sent so far;
        `erp_periode_lukket`: the first day the ERP has closed the month of the finansbilag sent so far."""
        if step.value == "erp_periode_lukket":
            closed = self._erp_periode_lukket()
            if closed is not None and closed > step.today:
                self.admin.advance_to(closed.isoformat())
            return
        if step.value == "erp_masse_svar":
            due = erp_masse_due(self.admin.journal())
            now = datetime.fromisoformat(self.admin.clock()["now"])
            if due is not None and datetime.fromisoformat(due) > now:
                self.admin.advance_to(due)
            return
        billed = step.billed
        observation = Observation(self.admin.state(), [], [], billed, "", {}, references=self._references)
        claims = [c for case in billed for c in observation.claims_of(case)]
        if not claims and billed:  # the direct role: its claims appear only when it hands them over itself
            self._step_until_at_psrm(billed, step.today)
            return
        day = target_day(str(step.value), claims, self.admin.debitor()["profil"])
        if day is not None and day > step.today:
            self.admin.advance_to(day.isoformat())

    def _erp_periode_lukket(self) -> date | None:
        """The first day on which the ERP, by its own rule (the tenant's ERP profile), no longer has open the
        latest month the fagsystem dated a finansbilag in; None: no bilag sent, or the month never closes
        (open months configured by hand) within ERP_CLOSING_MAX_MONTHS."""
        month = finans_bilag_month(self.admin.journal())
        if month is None:
            return None
        day = date.fromisoformat(f"{month}-01")
        for _ in range(ERP_CLOSING_MAX_MONTHS):
            day = (day + timedelta(days=32)).replace(day=1)
            if month not in self.admin.erp("perioder", {"dato": day.isoformat()})["ÅbnePerioder"]:
                return day
        return None

    def _fault(self, step: Step) -> None:
        value = step.value
        self.admin.inject(dict(value) | {"name": value.get("name", f"{step.scenario.id}:{value['kind']}")})

    def _lose_next_answer(self, step: Step) -> None:
        name = f"{step.scenario.id}:lose_answer:{step.value}"
        self.admin.inject_fault("lose_answer", str(step.value), name=name)

    def _for_case(self, case: BillingCase, act: Callable[[], None]) -> None:
        """Let the fagsystem act on one case; every Fordring it sends meanwhile is that case's claim."""
        before = self.admin.journal(limit=1)
        act()
        after = self.admin.journal(after=before[-1]["id"] if before else 0)
        refs = self._references.setdefault(case.case_id, [])
        for entry in after:
            refs.extend(r for r in sent_references(entry.get("request")) if r not in refs)

    def _step_until_at_psrm(self, billed: list[BillingCase], today: date) -> None:
        """Step the clock a day at a time, the fagsystem running its day, until every billed case has its
        claim at PSRM (a fagsystem in the direct role hands over by its own policy; PSRM judges the dates),
        for at most DIRECT_ROLE_MAX_DAYS days. The tenant's state is read again only on a day something
        new reached the journal (a claim arrives at PSRM by a message)."""
        seen, changed = 0, True
        for _ in range(DIRECT_ROLE_MAX_DAYS):
            if changed:
                observation = Observation(
                    self.admin.state(), [], [], billed, "", {}, references=self._references
                )
                if all(observation.psrm_claims_of(case) for case in billed):
                    return
                seen = max([seen, *(e["id"] for e in self.admin.journal(limit=1))])
            today = today + timedelta(days=1)
            self.admin.advance_to(today.isoformat())
            as_fagsystem(self.fagsystem.run_daily, today)
            changed = bool(self.admin.journal(limit=1, after=seen))

    def _optional(self, step: str) -> Any:
        """The fagsystem's method for an optional action, or ActionNotSupportedError."""
        return business.optional_action(self.fagsystem, step)


ACTIONS: dict[str, Callable[[StepActions, Step], None]] = {
    "bill": StepActions._bill,
    "finans": StepActions._finans,
    "finans_masse": StepActions._finans,
    "pay_out": StepActions._pay_out,
    "nemkonto_register": StepActions._nemkonto_register,
    "correct": StepActions._correct,
    "psrm_indbetaling": StepActions._psrm_indbetaling,
    "modregning": StepActions._modregning,
    "event": StepActions._event,
    "daily": StepActions._daily,
    "settings": StepActions._settings,
    "erp_perioder": StepActions._erp_perioder,
    "advance": StepActions._advance,
    "advance_to": StepActions._advance_to,
    "advance_until": StepActions._advance_until,
    "fault": StepActions._fault,
    "lose_next_answer": StepActions._lose_next_answer,
}
"""Every step kind but `expect`, and what it does."""
