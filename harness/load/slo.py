"""Service level objectives (contract `harness/slo`) and judging a run's KPIs against them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml
from testkommune.contracts.findings import describe_all
from testkommune.contracts.schemas import contract_set
from testkommune.harness.load.profiles import DATA, ProfileError

DEFAULT_SLO_FILE = DATA / "slo.yaml"


@dataclass(frozen=True)
class KpiResult:
    """One KPI of the run next to its limit."""

    kpi: str
    value: float
    limit: float | bool
    comparison: str  # ">=", "<=" or "=="
    holds: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        return f"{self.kpi} = {_show(self.value)} (limit {self.comparison} {_show(self.limit)})"


def _show(value: float | bool) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def load_slo(path: Path | None, profile: str) -> dict[str, Any]:
    """The SLO set of `profile` from `path` (default: the built-in file); ProfileError if unusable."""
    path = path or DEFAULT_SLO_FILE
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"cannot read SLO file {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ProfileError(f"SLO file {path} is neither YAML nor JSON: {exc}") from exc
    problems = contract_set().get("harness/slo").check(raw)
    if problems:
        lines = [f"  {p['path']}: {p['text_en']}" for p in describe_all(problems)]
        raise ProfileError(f"SLO file {path} breaks contract harness/slo:\n" + "\n".join(lines))
    if profile not in raw["profiles"]:
        raise ProfileError(f"SLO file {path} has no objectives for profile {profile!r}")
    return dict(raw["profiles"][profile])


def judge(kpis: dict[str, float], slo: dict[str, Any]) -> list[KpiResult]:
    """Each objective of `slo` against the measured `kpis` (keys as in `measure` of harness.load.runner)."""
    results: list[KpiResult] = []
    if "throughput_min_rps" in slo:
        value = kpis["throughput_rps"]
        results.append(
            KpiResult(
                "throughput_rps", value, slo["throughput_min_rps"], ">=", value >= slo["throughput_min_rps"]
            )
        )
    for kpi, key in (
        ("p95_ms", "p95_ms_max"),
        ("p99_ms", "p99_ms_max"),
        ("error_rate_pct", "error_rate_max_pct"),
    ):
        if key in slo:
            results.append(KpiResult(kpi, kpis[kpi], slo[key], "<=", kpis[kpi] <= slo[key]))
    if slo.get("no_lost_or_double_booked"):
        for kpi in ("lost_messages", "double_booked_messages"):
            results.append(KpiResult(kpi, kpis[kpi], 0, "==", kpis[kpi] == 0))
    return results
