"""The load run as a report document (contract harness/lastrapport): KPIs, size, reasons, decision."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

from testkommune.harness import __version__
from testkommune.harness.load.ledger import Ledger
from testkommune.harness.load.profiles import Profile

REPORT_FORMAT = "testkommune-load/1"


def measure(stats: Any, elapsed_s: float, ledger: Ledger, reconciliation: dict[str, Any]) -> dict[str, float]:
    """The KPIs the SLOs judge: throughput of successful requests, p95/p99, error rate, lost/double."""
    total = stats.total
    requests_ = total.num_requests
    failures = total.num_failures
    return {
        "requests": float(requests_),
        "failures": float(failures),
        "business_refusals": float(ledger.refused),
        "throughput_rps": round((requests_ - failures) / elapsed_s, 2) if elapsed_s > 0 else 0.0,
        "p50_ms": float(total.get_response_time_percentile(0.5) or 0),
        "p95_ms": float(total.get_response_time_percentile(0.95) or 0),
        "p99_ms": float(total.get_response_time_percentile(0.99) or 0),
        "error_rate_pct": round(100.0 * (failures + ledger.refused) / requests_, 2) if requests_ else 100.0,
        "lost_messages": float(reconciliation["lost"]),
        "double_booked_messages": float(reconciliation["double_booked"]),
    }


def _endpoints(stats: Any) -> list[dict[str, Any]]:
    rows = []
    for entry in sorted(stats.entries.values(), key=lambda e: (e.name, e.method)):
        rows.append(
            {
                "name": entry.name,
                "method": entry.method,
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "p50_ms": entry.get_response_time_percentile(0.5) or 0,
                "p95_ms": entry.get_response_time_percentile(0.95) or 0,
                "p99_ms": entry.get_response_time_percentile(0.99) or 0,
                "avg_ms": round(entry.avg_response_time, 1),
            }
        )
    return rows


def _errors(stats: Any) -> list[dict[str, Any]]:
    return [
        {"name": e.name, "method": e.method, "error": str(e.error)[:300], "occurrences": e.occurrences}
        for e in sorted(stats.errors.values(), key=lambda e: -e.occurrences)[:20]
    ]


@dataclass(frozen=True)
class Judged:
    """What the run is judged by besides its numbers: the SLOs, the certification, the run's size."""

    slo: list[Any]
    certification: Any
    too_small: list[str]


def too_small(profile: Profile, elapsed_s: float, requests: float, peak_users: int) -> list[str]:
    """Why the run is too short or too small to judge, by the profile's minimums (data, profiles.yaml)."""
    reasons = []
    if elapsed_s < profile.min_run_time_s:
        reasons.append(f"ran {elapsed_s:.1f} s; the profile needs at least {profile.min_run_time_s:g} s")
    if peak_users < profile.min_users:
        reasons.append(f"reached {peak_users} users; the profile needs at least {profile.min_users}")
    if requests < profile.min_requests:
        reasons.append(f"sent {int(requests)} requests; the profile needs at least {profile.min_requests}")
    return [f"TOO SMALL TO JUDGE: {reason}" for reason in reasons]


def _reasons(run: Any, judged: Judged) -> list[str]:
    reasons = []
    if run.cpu["saturated"]:
        reasons.append(
            f"INVALID: load generator saturated ({', '.join(run.cpu['saturated'])} above "
            f"{run.cpu['threshold_pct_of_one_core']:g} % of a core)"
        )
    reasons.extend(judged.too_small)
    reasons.extend(f"SLO breached: {k.describe()}" for k in judged.slo if not k.holds)
    certification = judged.certification
    if not certification.found:
        reasons.append(certification.detail)
    elif not certification.passed:
        reasons.append(f"certification not passed: {certification.detail}")
    return reasons


def run_status(run: Any, judged: Judged) -> str:
    """INVALID (a generator saturated), TOO_SMALL (below the profile's minimums) or VALID."""
    if run.cpu["saturated"]:
        return "INVALID"
    return "TOO_SMALL" if judged.too_small else "VALID"


def report_document(
    options: Any,
    profile: Profile,
    tenant: dict[str, str],
    fagsystem: Any,
    run: Any,
    kpis: dict[str, float],
    judged: Judged,
    reconciliation: dict[str, Any],
    notes: list[str],
) -> dict[str, Any]:
    """The load report (contract harness/lastrapport): GO only for a valid run, large enough to judge,
    every SLO held, and a PASSED certification of the same version."""
    breached = [k.kpi for k in judged.slo if not k.holds]
    status = run_status(run, judged)
    certification = judged.certification
    go = status == "VALID" and not breached and certification.found and certification.passed
    return {
        "report_format": REPORT_FORMAT,
        "generated_by": f"testkommune {__version__}",
        "decision": "GO" if go else "NO-GO",
        "run_status": status,
        "slo_status": "HELD" if not breached else "BREACHED",
        "breached": breached,
        "reasons": _reasons(run, judged),
        "profile": dataclasses.asdict(profile) | {"wait_s": list(profile.wait_s)},
        "target": options.target,
        "system_under_test": {
            "fagsystem": fagsystem.name,
            "version": fagsystem.version,
            "given_as": options.fagsystem_spec or "reference (built-in)",
        },
        "test_kommune": tenant,
        "seed": options.seed,
        "distributed": {"master": options.master, "workers": run.workers},
        "slo_file": options.slo_file,
        "kpis": kpis,
        "slo": [k.as_dict() for k in judged.slo],
        "reconciliation": reconciliation,
        "endpoints": _endpoints(run.env.stats),
        "errors": _errors(run.env.stats),
        "cpu": run.cpu,
        "certification": certification.as_dict(),
        "elapsed_s": round(run.elapsed_s, 2),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "notes": notes,
        "timeline": run.timeline,
    }
