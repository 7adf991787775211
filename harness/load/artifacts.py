"""What a load run keeps besides its KPIs: a timeline for the report's charts, and Locust's own reports.

The timeline is sampled once a second by the controller (local runner or master). Locust's HTML report
and its CSV tables are kept beside ours, as Locust writes them, for readers who know Locust's format.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from locust.html import get_html_report
from locust.stats import PERCENTILES_TO_REPORT, StatsCSV, update_stats_history


class Timeline:
    """Once-a-second samples of a running load test: users, req/s, failures/s and p95."""

    def __init__(self, runner: Any) -> None:
        self.runner = runner
        self.samples: list[dict[str, float]] = []
        self._last = (0.0, 0, 0)  # elapsed, requests, failures at the previous sample

    def sample(self, elapsed: float) -> None:
        """One sample; rates are measured since the previous sample (Locust's own lag a window behind)."""
        total = self.runner.stats.total
        then, requests, failures = self._last
        span = max(elapsed - then, 1e-6)
        self.samples.append(
            {
                "t_s": round(elapsed, 1),
                "users": float(self.runner.user_count or 0),
                "rps": round(max(total.num_requests - requests, 0) / span, 2),
                "fail_per_s": round(max(total.num_failures - failures, 0) / span, 2),
                "p95_ms": float(total.get_current_response_time_percentile(0.95) or 0),
            }
        )
        self._last = (elapsed, total.num_requests, total.num_failures)
        update_stats_history(self.runner)  # Locust's own report charts the same moments


def locust_files(env: Any) -> dict[str, str]:
    """Locust's HTML report and CSV tables of the run, by file-name suffix (call before the runner quits)."""
    tables = StatsCSV(env, PERCENTILES_TO_REPORT)
    files = {"locust.html": get_html_report(env, show_download_link=False)}
    for suffix, write in (
        ("locust_stats.csv", tables.requests_csv),
        ("locust_failures.csv", tables.failures_csv),
        ("locust_exceptions.csv", tables.exceptions_csv),
    ):
        buffer = io.StringIO()
        write(csv.writer(buffer))
        files[suffix] = buffer.getvalue()
    return files
