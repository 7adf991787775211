"""Run a suite: for each scenario, reset the tenant, set the clock, let the fagsystem act, judge."""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from testkommune.contracts.clock import DANISH_TZ, parse_instant, real_now
from testkommune.contracts.driver import ActionNotSupportedError, Fagsystem, KommuneConnection
from testkommune.contracts.errors import FagsystemError, UsageError
from testkommune.contracts.model import BillingCase
from testkommune.harness.certify import business
from testkommune.harness.certify.cases import make_cases, scenario_seed
from testkommune.harness.certify.checks import CHECK_ERROR, CHECKS, check_error, evaluate
from testkommune.harness.certify.checks_debitor import DEBITOR_VIEW_CHECKS
from testkommune.harness.certify.checks_livsforloeb import LIVSFORLOEB_VIEW_CHECKS
from testkommune.harness.certify.client import AdminClient, KommuneUnavailableError
from testkommune.harness.certify.events import (
    Event,
    EventHandler,
    ExpectationEvaluated,
    RunFinished,
    RunStarted,
    ScenarioFinished,
    ScenarioStarted,
)
from testkommune.harness.certify.gather import erp_view, fagsystem_failure, unsupported_failure
from testkommune.harness.certify.observation import Observation, sent_references
from testkommune.harness.certify.results import Failure, RunResult, ScenarioResult, StepRecord
from testkommune.harness.certify.suite import Scenario, Suite
from testkommune.harness.certify.timeline import target_day

__all__ = ["FINAL_CHECKS", "HarnessProblemError", "Runner", "make_cases", "scenario_seed"]

# Judged after every scenario (after a failed step too, less the codes already named): every claim belongs
# to a case, its dates are lawful, no free text carries personal data, and the counterparts' books agree.
DIRECT_ROLE_MAX_DAYS = 60  # how long the harness steps day by day waiting for a direct-role hand-over
FINAL_CHECKS: tuple[str, ...] = (
    "claims_accounted",
    "srb_after_forfald",
    "no_personal_data",
    "invariants_hold",
)


class Runner:
    """Runs one suite against one fagsystem in one tenant, emitting events to handlers."""

    def __init__(
        self,
        suite: Suite,
        fagsystem: Fagsystem,
        connection: KommuneConnection,
        *,
        seed: int = 1,
        driver: str = "python",
        fagsystem_spec: str | None = None,
        handlers: Iterable[EventHandler] = (),
        admin_token: str | None = None,
    ) -> None:
        self.suite = suite
        self.fagsystem = fagsystem
        self.connection = connection
        self.admin = AdminClient(
            connection.base_url, connection.kommune, connection.system, token=admin_token, owns_clock=True
        )
        self.seed = seed
        self.driver = driver
        self.fagsystem_spec = fagsystem_spec or fagsystem.name
        self.handlers = list(handlers)
        self._current_step = 0
        self._references: dict[str, list[str]] = {}
        unknown = sorted(
            {
                name
                for s in suite.scenarios
                for kind, value in s.steps
                if kind == "expect"
                for name in (v if isinstance(v, str) else next(iter(v)) for v in value)
            }
            - set(CHECKS)
        )
        if unknown:
            raise HarnessProblemError(
                f"suite {suite.id} uses unknown checks {', '.join(unknown)}; known: {', '.join(CHECKS)}"
            )

    def _emit(self, event: Event) -> None:
        for handler in self.handlers:
            handler.handle(event)

    def run(self, only: Iterable[str] | None = None) -> RunResult:
        wanted = set(only or ())
        scenarios = [s for s in self.suite.scenarios if not wanted or s.id in wanted]
        health = self.admin.health()
        started = real_now()
        result = RunResult(
            suite_id=self.suite.id,
            suite_title=self.suite.title_en,
            fagsystem=self.fagsystem.name,
            fagsystem_version=self.fagsystem.version,
            driver=self.driver,
            kommune=self.connection.kommune,
            system=self.connection.system,
            seed=self.seed,
            contracts_version=health["contracts"],
            started_at=started.isoformat(timespec="seconds"),
            base_url=self.connection.base_url,
            fagsystem_spec=self.fagsystem_spec,
            conformance=business.declared(self.fagsystem),
        )
        self._emit(
            RunStarted(self.suite.id, self.suite.title_en, self.fagsystem.name, len(scenarios), self.seed)
        )
        for scenario in scenarios:
            self._emit(ScenarioStarted(scenario.id, scenario.title_en))
            outcome = self.run_scenario(scenario)
            result.scenarios.append(outcome)
            self._emit(ScenarioFinished(outcome))
        finished = real_now()
        result.finished_at = finished.isoformat(timespec="seconds")
        result.duration_s = round((finished - started).total_seconds(), 3)
        self._emit(RunFinished(result))
        return result

    def run_scenario(self, scenario: Scenario) -> ScenarioResult:
        began = time.monotonic()
        result = ScenarioResult(
            scenario.id,
            scenario.title_da,
            scenario.title_en,
            list(scenario.covers),
            scenario.source,
            "passed",
        )
        if self._outside_scope(scenario, result):
            return result
        self.admin.reset()
        self.admin.set_clock(scenario.clock)
        cases = business.with_co_debtors(scenario, make_cases(scenario, self.seed))
        billed: list[BillingCase] = []
        self._references = {}
        try:  # a fagsystem (or its trigger endpoint) that fails to connect: an error result, not a crash
            _as_fagsystem(self.fagsystem.connect, self.connection)
        except FagsystemRaisedError as raised:
            exc = raised.__cause__ or raised
            result.outcome, result.error = "error", f"{type(exc).__name__}: {exc}"
            result.failures.append(fagsystem_failure("connect", exc))
            return result
        steps = [*scenario.steps, ("expect", list(FINAL_CHECKS))]
        for index, (kind, value) in enumerate(steps, start=1):
            self._current_step = index
            today = self.admin.today()
            record = StepRecord(index, kind, _describe(kind, value), self.admin.clock()["now"])
            result.steps.append(record)
            try:
                if index == 1:
                    business.require_scenario(scenario, self.fagsystem)
                failures = self._step(kind, value, today, cases, billed, scenario)
            except ActionNotSupportedError as missing:  # not failed: outside what the fagsystem declared
                record.outcome = "not_supported"
                result.outcome = "not_supported"
                result.error = str(missing)
                result.failures.append(unsupported_failure(missing))
                break
            except (
                FagsystemRaisedError
            ) as raised:  # the fagsystem under test raised: its defect, reported as such
                exc = raised.__cause__ or raised
                record.outcome = "error"
                result.outcome = "error"
                result.error = f"{type(exc).__name__}: {exc}"
                result.failures.append(fagsystem_failure(kind, exc))
                break
            if failures:
                broken = [f for f in failures if f.code == CHECK_ERROR]
                record.outcome = result.outcome = "error" if broken else "failed"
                result.error = broken[0].actual if broken else None
                result.failures.extend(failures)
                if index < len(steps):  # the whole-tenant checks still run, as a step of their own:
                    final = StepRecord(
                        len(steps),
                        "expect",
                        _describe("expect", list(FINAL_CHECKS)),
                        self.admin.clock()["now"],
                    )
                    self._current_step = final.index  # they may name the root cause
                    final_failures = self._final_failures(today, cases, billed, scenario, failures)
                    final.outcome = "failed" if final_failures else "done"
                    result.steps.append(final)
                    result.failures.extend(final_failures)
                break
        result.duration_s = round(time.monotonic() - began, 3)
        return result

    def _outside_scope(self, scenario: Scenario, result: ScenarioResult) -> bool:
        """A scenario for a role or feature the fagsystem does not declare ends NOT SUPPORTED at its first
        step, before the tenant is reset or the fagsystem asked anything (nothing would be judged)."""
        try:
            business.require_scenario(scenario, self.fagsystem)
        except ActionNotSupportedError as missing:
            kind, value = scenario.steps[0]
            start = parse_instant(scenario.clock).astimezone(DANISH_TZ).isoformat()
            result.steps.append(StepRecord(1, kind, _describe(kind, value), start, "not_supported"))
            result.outcome, result.error = "not_supported", str(missing)
            result.failures.append(unsupported_failure(missing))
            return True
        return False

    def _step(
        self,
        kind: str,
        value: Any,
        today: date,
        cases: list[BillingCase],
        billed: list[BillingCase],
        scenario: Scenario,
    ) -> list[Failure]:
        if kind == "bill":
            chosen = cases if value == "all" else [cases[int(value) - 1]]
            for case in chosen:
                billed.append(case)
                self._for_case(case, functools.partial(_as_fagsystem, self.fagsystem.bill, case, today))
        elif kind in ("finans", "finans_masse"):
            chosen = cases if value == "all" else [cases[int(value) - 1]]
            post = self._optional(kind)
            _as_fagsystem(post, chosen, today, kind == "finans_masse")
        elif kind == "pay_out":
            chosen = cases if value == "all" else [cases[int(value) - 1]]
            _as_fagsystem(self._optional(kind), chosen, today)
        elif kind == "nemkonto_register":
            for debtor in {c.debtor.id: c.debtor for c in cases}.values():
                for identity in value:
                    number = {"cpr": debtor.id, "cvr": debtor.id, "se": debtor.se}[identity]
                    if number and (identity == "cpr") == (debtor.kind == "person"):
                        self.admin.nemkonto_konto(identity.upper(), number)
        elif kind == "correct":
            index = int(value["case"]) - 1
            corrected = dataclasses.replace(cases[index], amount=Decimal(str(value["amount"])))
            cases[index] = corrected
            billed[:] = [corrected if c.case_id == corrected.case_id else c for c in billed]
            correct = self._optional(kind)
            self._for_case(corrected, lambda: _as_fagsystem(correct, corrected, today))
        elif kind in ("psrm_indbetaling", "modregning"):
            amount = float(Decimal(str(value["amount"])))
            if kind == "psrm_indbetaling":
                self.admin.psrm_indbetaling(cases[0].debtor.id, amount, today)
            else:
                self.admin.modregning(cases[0].debtor.id, amount, f"{scenario.id}-{self._current_step}")
        elif kind == "event":  # what happened in the business to a case (contracts/events.py)
            act, case, event = business.run_event(self.fagsystem, dict(value), today, cases, billed)
            self._for_case(case, lambda: _as_fagsystem(act, case, event, today))
        elif kind == "daily":
            _as_fagsystem(self.fagsystem.run_daily, today)
        elif kind == "settings":
            self.admin.settings(dict(value))
        elif kind == "erp_perioder":
            self.admin.erp_perioder(list(value) if value is not None else None)
        elif kind == "advance":
            self.admin.advance(str(value))
        elif kind == "advance_to":
            self.admin.advance_to(str(value))
        elif kind == "advance_until":
            self._advance_until(str(value), billed, today)
        elif kind == "fault":
            self.admin.inject(dict(value) | {"name": value.get("name", f"{scenario.id}:{value['kind']}")})
        elif kind == "lose_next_answer":
            self.admin.inject_fault("lose_answer", str(value), name=f"{scenario.id}:lose_answer:{value}")
        elif kind == "expect":
            try:
                return self._expect(value, cases, billed, scenario)
            except KommuneUnavailableError:
                raise
            except Exception as exc:  # the harness could not gather what to judge: an ERROR, not a traceback
                return [check_error(_describe(kind, value), exc)]
        return []

    def _for_case(self, case: BillingCase, act: Callable[[], None]) -> None:
        """Let the fagsystem act on one case; every Fordring it sends meanwhile is that case's claim."""
        before = self.admin.journal(limit=1)
        act()
        after = self.admin.journal(after=before[-1]["id"] if before else 0)
        refs = self._references.setdefault(case.case_id, [])
        for entry in after:
            refs.extend(r for r in sent_references(entry.get("request")) if r not in refs)

    def _advance_until(self, spec: str, billed: list[BillingCase], today: date) -> None:
        """Move the clock to a day that follows from the billed claims' own dates and the debitor profile
        (see `timeline`); nothing moves when no claim carries the date or the day has come already."""
        observation = Observation(self.admin.state(), [], [], billed, "", {}, references=self._references)
        claims = [c for case in billed for c in observation.claims_of(case)]
        if not claims and billed:  # the direct role: its claims appear only when it hands them over itself
            self._step_until_at_psrm(billed, today)
            return
        day = target_day(spec, claims, self.admin.debitor()["profil"])
        if day is not None and day > today:
            self.admin.advance_to(day.isoformat())

    def _final_failures(
        self,
        today: date,
        cases: list[BillingCase],
        billed: list[BillingCase],
        scenario: Scenario,
        already: list[Failure],
    ) -> list[Failure]:
        """The whole-tenant checks' failures after an earlier step failed, less what was already reported."""
        seen = {(f.code, f.field) for f in already}  # one refusal is reported once, whichever check read it
        final = self._step("expect", list(FINAL_CHECKS), today, cases, billed, scenario)
        return [f for f in final if (f.code, f.field) not in seen and f.code != CHECK_ERROR]

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
            _as_fagsystem(self.fagsystem.run_daily, today)
            changed = bool(self.admin.journal(limit=1, after=seen))

    def _optional(self, step: str) -> Any:
        """The fagsystem's method for an optional action, or ActionNotSupportedError."""
        return business.optional_action(self.fagsystem, step)

    def _expect(
        self,
        expectations: list[Any],
        cases: list[BillingCase],
        billed: list[BillingCase],
        scenario: Scenario,
    ) -> list[Failure]:
        state = self.admin.state()
        journal = self.admin.journal()
        erp = erp_view(self.admin, journal)
        if erp is not None:
            state = state | {"erp": erp}
        if any(_name(e) in DEBITOR_VIEW_CHECKS | LIVSFORLOEB_VIEW_CHECKS for e in expectations):
            state = state | {"debitor_system": self.admin.debitor()}
        if any(_name(e) == "invariants_hold" for e in expectations):
            state = state | {"invarianter": self.admin.invariants()}
        if any(e["operation"].startswith("NKS") for e in journal):
            state = state | {"nemkonto": {"betalinger": self.admin.nemkonto("betalinger")["Betalinger"]}}
        observation = Observation(
            state=state,
            journal=journal,
            cases=list(cases),  # copies: a later correction must not rewrite this evidence
            billed=list(billed),
            base_url=self.connection.base_url,
            headers=self.connection.headers,
            scenario_id=scenario.id,
            seed=self.seed,
            references={k: list(v) for k, v in self._references.items()},
        )
        failures = evaluate(expectations, observation)
        self._emit(ExpectationEvaluated(scenario.id, self._current_step, expectations, observation, failures))
        return failures


class FagsystemRaisedError(FagsystemError):
    """The fagsystem under test raised while the harness asked it to act."""


def _as_fagsystem(call: Any, *args: Any) -> None:
    try:
        call(*args)
    except ActionNotSupportedError:
        raise
    except Exception as exc:
        raise FagsystemRaisedError(str(exc)) from exc


class HarnessProblemError(UsageError):
    """The suite itself is wrong (e.g. an unknown check): a usage error, not the fagsystem's fault."""


def _name(expectation: str | dict[str, Any]) -> str:
    return expectation if isinstance(expectation, str) else next(iter(expectation))


def _describe(kind: str, value: Any) -> str:
    if kind == "expect":
        return ", ".join(v if isinstance(v, str) else next(iter(v)) for v in value)
    return f"{kind} {value}" if value not in (True, None) else kind
