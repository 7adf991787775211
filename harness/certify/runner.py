"""Run a suite: for each scenario, reset the tenant, set the clock, let the fagsystem act, judge."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from testkommune.contracts.clock import DANISH_TZ, parse_instant, real_now
from testkommune.contracts.driver import ActionNotSupportedError, Fagsystem, KommuneConnection
from testkommune.contracts.errors import UsageError
from testkommune.contracts.model import BillingCase
from testkommune.harness.certify import business
from testkommune.harness.certify.cases import make_cases, scenario_seed
from testkommune.harness.certify.checks import CHECK_ERROR, check_error
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
from testkommune.harness.certify.observation import Observation
from testkommune.harness.certify.registry import CHECKS, evaluate
from testkommune.harness.certify.results import Failure, Outcome, RunResult, ScenarioResult, StepRecord
from testkommune.harness.certify.steps import FagsystemRaisedError, Step, StepActions, as_fagsystem
from testkommune.harness.certify.suite import Scenario, Suite

__all__ = ["FINAL_CHECKS", "HarnessProblemError", "Runner", "make_cases", "scenario_seed"]

# Judged after every scenario (after a failed step too, less the codes already named): every claim belongs
# to a case, its dates are lawful, no free text carries personal data, and the counterparts' books agree.
FINAL_CHECKS: tuple[str, ...] = (
    "claims_accounted",
    "srb_after_forfald",
    "no_personal_data",
    "invariants_hold",
)


@dataclass(frozen=True, slots=True)
class _Play:
    """A scenario being played: its cases, those billed so far, and the result being written."""

    scenario: Scenario
    cases: list[BillingCase]
    billed: list[BillingCase]
    result: ScenarioResult


class Runner(StepActions):
    """Runs one suite against one fagsystem in one tenant, emitting events to handlers; what each step does
    is `StepActions`' (harness/certify/steps.py), judging is the runner's."""

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
            - set(CHECKS.names())
        )
        if unknown:
            raise HarnessProblemError(
                f"suite {suite.id} uses unknown checks {', '.join(unknown)}; "
                f"known: {', '.join(CHECKS.names())}"
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
        play = _Play(scenario, cases, [], result)
        self._references = {}
        if not self._connected(result):
            return result
        steps = [*scenario.steps, ("expect", list(FINAL_CHECKS))]
        for index, (kind, value) in enumerate(steps, start=1):
            if not self._take_step(play, index, kind, value, last=len(steps)):
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
            record = StepRecord(1, kind, _describe(kind, value), start)
            result.steps.append(record)
            _end(record, result, "not_supported", str(missing), unsupported_failure(missing))
            return True
        return False

    def _connected(self, result: ScenarioResult) -> bool:
        """Connect the fagsystem: one that fails to (or its trigger endpoint) is an error result, no crash."""
        try:
            as_fagsystem(self.fagsystem.connect, self.connection)
        except FagsystemRaisedError as raised:
            exc = raised.__cause__ or raised
            result.outcome, result.error = "error", f"{type(exc).__name__}: {exc}"
            result.failures.append(fagsystem_failure("connect", exc))
            return False
        return True

    def _take_step(self, play: _Play, index: int, kind: str, value: Any, last: int) -> bool:
        """Take and record step `index` of `last`; False when the scenario ends with it (failed, error, or
        outside what the fagsystem declared)."""
        self._current_step = index
        today = self.admin.today()
        record = StepRecord(index, kind, _describe(kind, value), self.admin.clock()["now"])
        play.result.steps.append(record)
        step = Step(kind, value, today, play.cases, play.billed, play.scenario)
        try:
            if index == 1:
                business.require_scenario(play.scenario, self.fagsystem)
            failures = self._step(step)
        except ActionNotSupportedError as missing:  # not failed: outside what the fagsystem declared
            _end(record, play.result, "not_supported", str(missing), unsupported_failure(missing))
            return False
        except FagsystemRaisedError as raised:  # the fagsystem raised: its defect, reported as such
            exc = raised.__cause__ or raised
            _end(record, play.result, "error", f"{type(exc).__name__}: {exc}", fagsystem_failure(kind, exc))
            return False
        if not failures:
            return True
        broken = [f for f in failures if f.code == CHECK_ERROR]
        record.outcome = play.result.outcome = "error" if broken else "failed"
        play.result.error = broken[0].actual if broken else None
        play.result.failures.extend(failures)
        if index < last:  # the whole-tenant checks still run, as a step of their own:
            self._final_step(step, play.result, failures, last)
        return False

    def _final_step(self, step: Step, result: ScenarioResult, already: list[Failure], index: int) -> None:
        """The whole-tenant checks after an earlier step failed, recorded as step `index` (they may name the
        root cause), less what was already reported: one refusal is reported once, whichever check read it."""
        final = StepRecord(
            index, "expect", _describe("expect", list(FINAL_CHECKS)), self.admin.clock()["now"]
        )
        self._current_step = final.index
        seen = {(f.code, f.field) for f in already}
        judged = self._step(dataclasses.replace(step, kind="expect", value=list(FINAL_CHECKS)))
        final_failures = [f for f in judged if (f.code, f.field) not in seen and f.code != CHECK_ERROR]
        final.outcome = "failed" if final_failures else "done"
        result.steps.append(final)
        result.failures.extend(final_failures)

    def _step(self, step: Step) -> list[Failure]:
        """Take one step: act (harness/certify/steps.py), or judge an `expect`."""
        if step.kind != "expect":
            self.act(step)
            return []
        try:
            return self._expect(step.value, step.cases, step.billed, step.scenario)
        except KommuneUnavailableError:
            raise
        except Exception as exc:  # the harness could not gather what to judge: an ERROR, not a traceback
            return [check_error(_describe(step.kind, step.value), exc)]

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


class HarnessProblemError(UsageError):
    """The suite itself is wrong (e.g. an unknown check): a usage error, not the fagsystem's fault."""


def _end(record: StepRecord, result: ScenarioResult, outcome: Outcome, error: str, failure: Failure) -> None:
    """The scenario ends with this step, without a verdict of its checks."""
    record.outcome = result.outcome = outcome
    result.error = error
    result.failures.append(failure)


def _name(expectation: str | dict[str, Any]) -> str:
    return expectation if isinstance(expectation, str) else next(iter(expectation))


def _describe(kind: str, value: Any) -> str:
    if kind == "expect":
        return ", ".join(v if isinstance(v, str) else next(iter(v)) for v in value)
    return f"{kind} {value}" if value not in (True, None) else kind
