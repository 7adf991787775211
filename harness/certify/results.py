"""Results of a certification run, as data: what reports are written from."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Outcome = Literal["passed", "failed", "error", "not_supported"]


@dataclass(frozen=True, slots=True)
class Failure:
    """One expectation the fagsystem did not meet, with what is needed to fix and reproduce it."""

    check: str
    code: str
    field: str
    expected: Any
    actual: Any
    text_da: str
    text_en: str
    fix_da: str
    fix_en: str
    source: dict[str, Any] = dataclasses.field(default_factory=dict)  # `field` is a column of this class
    reproduce: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class StepRecord:
    index: int
    kind: str
    detail: str
    sim_time: str
    outcome: str = "done"


@dataclass(slots=True)
class ScenarioResult:
    scenario_id: str
    title_da: str
    title_en: str
    covers: list[str]
    source: str
    outcome: Outcome
    failures: list[Failure] = field(default_factory=list)
    steps: list[StepRecord] = field(default_factory=list)
    error: str | None = None
    duration_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["failures"] = [f.as_dict() for f in self.failures]
        return out


@dataclass(slots=True)
class RunResult:
    suite_id: str
    suite_title: str
    fagsystem: str
    fagsystem_version: str
    driver: str
    kommune: str
    system: str
    seed: int
    contracts_version: str
    started_at: str
    base_url: str
    scenarios: list[ScenarioResult] = field(default_factory=list)
    finished_at: str = ""
    fagsystem_spec: str = ""
    duration_s: float = 0.0
    conformance: dict[str, Any] = field(default_factory=dict)  # what the fagsystem declared (role, events)

    @property
    def passed(self) -> bool:
        outcomes = {s.outcome for s in self.scenarios}  # not_supported: outside the certificate's scope
        return "passed" in outcomes and outcomes <= {"passed", "not_supported"}

    @property
    def verdict(self) -> str:
        return "PASSED" if self.passed else "FAILED"

    def counts(self) -> dict[str, int]:
        counts = {"passed": 0, "failed": 0, "error": 0, "not_supported": 0}
        for s in self.scenarios:
            counts[s.outcome] += 1
        return counts

    def as_dict(self) -> dict[str, Any]:
        out = {
            k: getattr(self, k)
            for k in (
                "suite_id",
                "suite_title",
                "fagsystem",
                "fagsystem_version",
                "driver",
                "kommune",
                "system",
                "seed",
                "contracts_version",
                "started_at",
                "finished_at",
                "duration_s",
                "base_url",
                "fagsystem_spec",
            )
        }
        out["verdict"] = self.verdict
        out["counts"] = self.counts()
        out["scenarios"] = [s.as_dict() for s in self.scenarios]
        return out
