"""Events a certification run emits; every output (console, files) is a consumer of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from testkommune.harness.certify.observation import Observation
from testkommune.harness.certify.results import Failure, RunResult, ScenarioResult


@dataclass(frozen=True, slots=True)
class RunStarted:
    suite_id: str
    suite_title: str
    fagsystem: str
    scenario_count: int
    seed: int


@dataclass(frozen=True, slots=True)
class ScenarioStarted:
    scenario_id: str
    title_en: str


@dataclass(frozen=True, slots=True)
class ScenarioFinished:
    result: ScenarioResult


@dataclass(frozen=True, slots=True)
class ExpectationEvaluated:
    """An `expect` step: what the harness observed and what the checks concluded (a verdict's evidence)."""

    scenario_id: str
    step: int
    expectations: list[Any]
    observation: Observation
    failures: list[Failure]


@dataclass(frozen=True, slots=True)
class RunFinished:
    result: RunResult


Event = RunStarted | ScenarioStarted | ExpectationEvaluated | ScenarioFinished | RunFinished


class EventHandler(Protocol):
    def handle(self, event: Event) -> None: ...
