"""Reports of a certification run: the console, a JSON document and JUnit XML, all written from results."""

from __future__ import annotations

from harness.reporting.console import ConsoleReporter, summary_line
from harness.reporting.json_report import REPORT_FORMAT, write_json
from harness.reporting.junit import write_junit

__all__ = ["REPORT_FORMAT", "ConsoleReporter", "summary_line", "write_json", "write_junit"]
