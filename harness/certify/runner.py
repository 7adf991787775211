"""Run a suite: for each scenario, reset the tenant, set the clock, let the fagsystem act, judge."""

from __future__ import annotations

import dataclasses
import json
import time
import zlib
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from testkommune.contracts.catalogue import error_catalogue
from testkommune.contracts.clock import real_now
from testkommune.contracts.driver import (
    OPTIONAL_ACTIONS,
    ActionNotSupportedError,
    Fagsystem,
    KommuneConnection,
)
from testkommune.contracts.errors import FagsystemError, UsageError
from testkommune.contracts.model import BillingCase, Party
from testkommune.harness.certify.checks import CHECKS, evaluate
from testkommune.harness.certify.checks_debitor import DEBITOR_VIEW_CHECKS
from testkommune.harness.certify.client import AdminClient, KommuneUnavailableError
from testkommune.harness.certify.events import (
    EventHandler,
    ExpectationEvaluated,
    RunFinished,
    RunStarted,
    ScenarioFinished,
    ScenarioStarted,
)
from testkommune.harness.certify.observation import Observation
from testkommune.harness.certify.results import Failure, RunResult, ScenarioResult, StepRecord
from testkommune.harness.certify.suite import Case, Scenario, Suite
from testkommune.harness.testdata import CitizenFactory, CompanyFactory, seed_all


def scenario_seed(seed: int, scenario_id: str) -> int:
    """Each scenario's data depends only on the run's seed and its own id."""
    return (seed * 1_000_003 + zlib.crc32(scenario_id.encode())) % 2**31


def make_cases(scenario: Scenario, seed: int) -> list[BillingCase]:
    seed_all(scenario_seed(seed, scenario.id))
    debtor: Party
    if scenario.debtor == "virksomhed":
        debtor = CompanyFactory()
    elif scenario.debtor == "person-uden-fast-bopael":
        debtor = CitizenFactory(address=None)
    else:
        debtor = CitizenFactory()
    return [_case(scenario, i, spec, debtor) for i, spec in enumerate(scenario.cases, start=1)]


def _case(scenario: Scenario, index: int, spec: Case, debtor: Party) -> BillingCase:
    first = date.fromisoformat(spec.month + "-01")
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    last = date.fromordinal(following.toordinal() - 1)
    return BillingCase(
        case_id=f"{scenario.id}-{index}",
        service=spec.service,
        debtor=debtor,
        amount=Decimal(spec.amount),
        period_from=first,
        period_to=last,
        description=f"{spec.service} {spec.month}",
        extra=dict(spec.extra),
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
            connection.base_url, connection.kommune, connection.system, token=admin_token
        )
        self.seed = seed
        self.driver = driver
        self.fagsystem_spec = fagsystem_spec or fagsystem.name
        self.handlers = list(handlers)
        self._current_step = 0
        unknown = sorted(
            {
                name
                for s in suite.scenarios
                for kind, value in s.steps
                if kind == "expect"
                for name in (v if isinstance(v, str) else next(iter(v)) for v in value)
            }
            - set(CHECKS)  # type: ignore[union-attr]
        )
        if unknown:
            raise HarnessProblemError(
                f"suite {suite.id} uses unknown checks {', '.join(unknown)}; known: {', '.join(CHECKS)}"
            )

    def _emit(self, event: object) -> None:
        for handler in self.handlers:
            handler.handle(event)  # type: ignore[arg-type]

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
        self.admin.reset()
        self.admin.set_clock(scenario.clock)
        cases = make_cases(scenario, self.seed)
        billed: list[BillingCase] = []
        self.fagsystem.connect(self.connection)
        for index, (kind, value) in enumerate(scenario.steps, start=1):
            self._current_step = index
            today = self.admin.today()
            record = StepRecord(index, kind, _describe(kind, value), self.admin.clock()["now"])
            result.steps.append(record)
            try:
                failures = self._step(kind, value, today, cases, billed, scenario)
            except ActionNotSupportedError as missing:
                record.outcome = "error"
                result.outcome = "error"
                result.error = str(missing)
                result.failures.append(_unsupported_failure(missing))
                break
            except (
                FagsystemRaisedError
            ) as raised:  # the fagsystem under test raised: its defect, reported as such
                exc = raised.__cause__ or raised
                record.outcome = "error"
                result.outcome = "error"
                result.error = f"{type(exc).__name__}: {exc}"
                result.failures.append(_fagsystem_failure(kind, exc))
                break
            if failures:
                record.outcome = "failed"
                result.outcome = "failed"
                result.failures.extend(failures)
                break
        result.duration_s = round(time.monotonic() - began, 3)
        return result

    def _step(
        self,
        kind: str,
        value: object,
        today: date,
        cases: list[BillingCase],
        billed: list[BillingCase],
        scenario: Scenario,
    ) -> list[Failure]:
        if kind == "bill":
            chosen = cases if value == "all" else [cases[int(value) - 1]]  # type: ignore[call-overload]
            for case in chosen:
                billed.append(case)
                _as_fagsystem(self.fagsystem.bill, case, today)
        elif kind in ("finans", "finans_masse"):
            chosen = cases if value == "all" else [cases[int(value) - 1]]  # type: ignore[call-overload]
            post = self._optional(kind)
            _as_fagsystem(post, chosen, today, kind == "finans_masse")
        elif kind == "pay_out":
            chosen = cases if value == "all" else [cases[int(value) - 1]]  # type: ignore[call-overload]
            _as_fagsystem(self._optional(kind), chosen, today)
        elif kind == "nemkonto_register":
            for debtor in {c.debtor.id: c.debtor for c in cases}.values():
                for identity in value:  # type: ignore[attr-defined]
                    number = {"cpr": debtor.id, "cvr": debtor.id, "se": debtor.se}[identity]
                    if number and (identity == "cpr") == (debtor.kind == "person"):
                        self.admin.nemkonto_konto(identity.upper(), number)
        elif kind == "correct":
            index = int(value["case"]) - 1  # type: ignore[index]
            corrected = dataclasses.replace(cases[index], amount=Decimal(str(value["amount"])))  # type: ignore[index]
            cases[index] = corrected
            billed[:] = [corrected if c.case_id == corrected.case_id else c for c in billed]
            _as_fagsystem(self._optional(kind), corrected, today)
        elif kind in ("psrm_indbetaling", "modregning"):
            amount = float(Decimal(str(value["amount"])))  # type: ignore[index]
            if kind == "psrm_indbetaling":
                self.admin.psrm_indbetaling(cases[0].debtor.id, amount, today)
            else:
                self.admin.modregning(cases[0].debtor.id, amount, f"{scenario.id}-{self._current_step}")
        elif kind == "daily":
            _as_fagsystem(self.fagsystem.run_daily, today)
        elif kind == "settings":
            self.admin.settings(dict(value))  # type: ignore[call-overload]
        elif kind == "erp_perioder":
            self.admin.erp_perioder(list(value) if value is not None else None)  # type: ignore[call-overload]
        elif kind == "advance":
            self.admin.advance(str(value))
        elif kind == "advance_to":
            self.admin.advance_to(str(value))
        elif kind == "fault":
            self.admin.inject(dict(value) | {"name": value.get("name", f"{scenario.id}:{value['kind']}")})  # type: ignore[union-attr]
        elif kind == "lose_next_answer":
            self.admin.inject_fault("lose_answer", str(value), name=f"{scenario.id}:lose_answer:{value}")
        elif kind == "expect":
            return self._expect(value, cases, billed, scenario)  # type: ignore[arg-type]
        return []

    def _optional(self, step: str) -> Any:
        """The fagsystem's method for an optional action, or ActionNotSupportedError."""
        method = OPTIONAL_ACTIONS[step]
        found = getattr(self.fagsystem, method, None)
        if not callable(found):
            raise ActionNotSupportedError(step, method, self.fagsystem.name)
        return found

    def _erp_view(self, journal: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The ERP's books as the kommune sees them, when the fagsystem delivered any finansbilag:
        every bilag with its forretningskvittering, the nulsumtest report of each, and the postings."""
        ids: list[str] = []
        for entry in journal:
            if entry["counterpart"] != "erp" or not entry["operation"].startswith("ModtagFinansbilag"):
                continue
            try:
                bilag = json.loads(entry["request"] or "{}").get("Finansbilag")
            except (ValueError, AttributeError):
                continue
            for one in bilag if isinstance(bilag, list) else [bilag]:
                if (
                    isinstance(one, dict)
                    and isinstance(one.get("BilagID"), str)
                    and one["BilagID"] not in ids
                ):
                    ids.append(one["BilagID"])
        if not ids and not any(e["counterpart"] == "erp" for e in journal):
            return None
        bilag_views: list[dict[str, Any]] = []
        reports: list[dict[str, Any]] = []
        for ident in ids:
            try:
                bilag_views.extend(self.admin.erp(f"bilag/{quote(ident, safe='')}")["Bilag"])
                reports.append(self.admin.erp(f"nulsumtest/{quote(ident, safe='')}"))
            except KommuneUnavailableError:  # delivered but refused before the ERP stored it
                continue
        posteringer = self.admin.erp("posteringer")
        return {"bilag": bilag_views, "nulsumtest": reports, "posteringer": posteringer["Posteringer"]}

    def _expect(
        self,
        expectations: list[object],
        cases: list[BillingCase],
        billed: list[BillingCase],
        scenario: Scenario,
    ) -> list[Failure]:
        state = self.admin.state()
        journal = self.admin.journal()
        erp = self._erp_view(journal)
        if erp is not None:
            state = state | {"erp": erp}
        if any(_name(e) in DEBITOR_VIEW_CHECKS for e in expectations):
            state = state | {"debitor_system": self.admin.debitor()}
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


def _name(expectation: object) -> str:
    return expectation if isinstance(expectation, str) else next(iter(expectation))  # type: ignore[call-overload]


def _describe(kind: str, value: object) -> str:
    if kind == "expect":
        return ", ".join(v if isinstance(v, str) else next(iter(v)) for v in value)  # type: ignore[union-attr]
    return f"{kind} {value}" if value not in (True, None) else kind


def _unsupported_failure(missing: ActionNotSupportedError) -> Failure:
    params = {"step": missing.step, "method": missing.method}
    described = error_catalogue().describe("CERT-IKKE-UNDERSTOETTET", params)
    return Failure(
        check="fagsystem",
        code="CERT-IKKE-UNDERSTOETTET",
        field="-",
        expected=missing.method,
        actual="not supported",
        text_da=described["text_da"],
        text_en=described["text_en"],
        fix_da=described["fix_da"],
        fix_en=described["fix_en"],
        source=described["source"],
    )


def _fagsystem_failure(step: str, exc: Exception) -> Failure:
    described = error_catalogue().describe(
        "CERT-FAGSYSTEM-FEJL", {"step": step, "detail": f"{type(exc).__name__}: {exc}"}
    )
    return Failure(
        check="fagsystem",
        code="CERT-FAGSYSTEM-FEJL",
        field="-",
        expected="no exception",
        actual=type(exc).__name__,
        text_da=described["text_da"],
        text_en=described["text_en"],
        fix_da=described["fix_da"],
        fix_en=described["fix_en"],
        source=described["source"],
    )
