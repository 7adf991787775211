"""Events a certification run emits; every output (console, files) is a consumer of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from harness.certify.results import RunResult, ScenarioResult


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
class RunFinished:
    result: RunResult


Event = RunStarted | ScenarioStarted | ScenarioFinished | RunFinished


class EventHandler(Protocol):
    def handle(self, event: Event) -> None: ...
