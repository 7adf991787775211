"""The load generator's CPU headroom: a run whose generator was saturated measured the generator, not
the system under test, and is marked INVALID."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

import psutil

SATURATED_PCT = 90.0
"""Mean CPU of a generator process above this share of one core: the generator was the bottleneck."""


@dataclass
class CpuSamples:
    """Samples taken once a second of this process and of the machine."""

    process: list[float] = field(default_factory=list)
    machine: list[float] = field(default_factory=list)
    _proc: Any = field(default=None, repr=False)

    def start(self) -> None:
        self._proc = psutil.Process()
        self._proc.cpu_percent(None)
        psutil.cpu_percent(None)

    def sample(self) -> None:
        self.process.append(self._proc.cpu_percent(None))
        self.machine.append(psutil.cpu_percent(None))

    def own(self) -> dict[str, float]:
        """Mean and max of this process (what a worker reports to its master)."""
        return _stats(self.process)

    def summary(
        self,
        workers: dict[str, dict[str, float]] | None = None,
        threshold: float = SATURATED_PCT,
        requests: int = 0,
        elapsed_s: float = 0.0,
    ) -> dict[str, Any]:
        """Mean and max per generator (this process, or the workers' own figures when distributed);
        `saturated` names every generator above `threshold` % of one core; the generators' cost: the
        cores they used together and the requests per second they sent per core used."""
        per = dict(workers) if workers is not None else {"local": _stats(self.process)}
        saturated = sorted(name for name, s in per.items() if s["mean_pct"] > threshold)
        return _cost(per, requests, elapsed_s) | {
            "threshold_pct_of_one_core": threshold,
            "cores": psutil.cpu_count() or 1,
            "generators": per,
            "controller_process": _stats(self.process),
            "machine": _stats(self.machine),
            "headroom_pct_of_one_core": round(
                max(0.0, 100.0 - max((s["mean_pct"] for s in per.values()), default=0.0)), 1
            ),
            "saturated": saturated,
        }


def _cost(per: dict[str, dict[str, float]], requests: int, elapsed_s: float) -> dict[str, float]:
    """`generator_cores`: the generators' mean CPU added up, in cores; `rps_per_generator_core`: the
    requests sent per second (failed ones too: the generator did the work) per core of it (0 if unknown)."""
    cores = sum(s["mean_pct"] for s in per.values()) / 100.0
    rate = requests / elapsed_s if elapsed_s > 0 else 0.0
    return {
        "generator_cores": round(cores, 3),
        "rps_per_generator_core": round(rate / cores) if cores > 0 else 0,
    }


def _stats(values: list[float]) -> dict[str, float]:
    useful = values[1:] if len(values) > 1 else values  # the first sample covers the start-up
    if not useful:
        return {"mean_pct": 0.0, "max_pct": 0.0, "samples": 0}
    return {
        "mean_pct": round(statistics.fmean(useful), 1),
        "max_pct": round(max(useful), 1),
        "samples": len(useful),
    }
