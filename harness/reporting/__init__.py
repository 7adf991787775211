"""Reports of a certification run: console, JSON, JUnit XML and an HTML page, all written from results."""

from __future__ import annotations

from testkommune.harness.reporting.console import ConsoleReporter, summary_line
from testkommune.harness.reporting.html import write_html
from testkommune.harness.reporting.json_report import REPORT_FORMAT, write_json
from testkommune.harness.reporting.junit import write_junit

__all__ = ["REPORT_FORMAT", "ConsoleReporter", "summary_line", "write_html", "write_json", "write_junit"]
