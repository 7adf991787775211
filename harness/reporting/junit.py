"""The run as JUnit XML, for CI systems (GitLab, Jenkins, GitHub test reporters)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from testkommune.harness.certify.results import Failure, RunResult, ScenarioResult
from testkommune.harness.reporting.json_report import write_atomic

# Characters XML 1.0 cannot carry at all (not even escaped): replaced, so the file always parses.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

PROPERTIES = ("fagsystem", "fagsystem_version", "driver", "seed", "contracts_version", "kommune", "system")


def write_junit(result: RunResult, path: Path) -> Path:
    """Write the JUnit XML report to `path` (atomically, creating parent folders); returns the path."""
    root = junit_tree(result)
    ET.indent(root)
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
    return write_atomic(path, data)


def junit_tree(result: RunResult) -> ET.Element:
    """`<testsuites>` holding one `<testsuite>` for the run and one `<testcase>` per scenario."""
    counts = result.counts()
    totals = {
        "tests": str(len(result.scenarios)),
        "failures": str(counts["failed"]),
        "errors": str(counts["error"]),
    }
    seconds = _seconds(result.duration_s or sum(s.duration_s for s in result.scenarios))
    suites = ET.Element("testsuites", {"name": "testkommune", **totals, "time": seconds})
    suite = ET.SubElement(
        suites,
        "testsuite",
        {
            "name": _clean(result.suite_id),
            **totals,
            "skipped": str(counts["not_supported"]),
            "time": seconds,
            "timestamp": _clean(result.started_at),
            "hostname": "testkommune",
        },
    )
    properties = ET.SubElement(suite, "properties")
    for name in PROPERTIES:
        ET.SubElement(properties, "property", {"name": name, "value": _clean(str(getattr(result, name)))})
    for scenario in result.scenarios:
        suite.append(_testcase(result.suite_id, scenario))
    return suites


def _testcase(suite_id: str, scenario: ScenarioResult) -> ET.Element:
    case = ET.Element(
        "testcase",
        {
            "classname": _clean(f"testkommune.{suite_id}"),
            "name": _clean(f"{scenario.scenario_id} {scenario.title_en}"),
            "time": _seconds(scenario.duration_s),
        },
    )
    if scenario.outcome == "failed":
        first = scenario.failures[0] if scenario.failures else None
        message = f"{first.code}: {first.text_en}" if first else "failed"
        _problem(case, "failure", message, first.check if first else "failed", scenario)
    elif scenario.outcome == "not_supported":
        ET.SubElement(case, "skipped", {"message": _clean(scenario.error or "not supported")})
    elif scenario.outcome == "error":
        message = scenario.error or (
            f"{scenario.failures[0].code}: {scenario.failures[0].text_en}" if scenario.failures else "error"
        )
        _problem(case, "error", message, "error", scenario)
    return case


def _problem(case: ET.Element, tag: str, message: str, kind: str, scenario: ScenarioResult) -> None:
    element = ET.SubElement(case, tag, {"message": _clean(message), "type": _clean(kind)})
    element.text = _clean(failure_text(scenario))


def failure_text(scenario: ScenarioResult) -> str:
    """Every failure of a scenario, spelled out for a CI log."""
    blocks = [_failure_block(number, f) for number, f in enumerate(scenario.failures, start=1)]
    if scenario.error:
        blocks.append(f"error: {scenario.error}")
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _failure_block(number: int, failure: Failure) -> str:
    lines = [
        f"{number}. {failure.code} (check {failure.check})",
        f"   field: {failure.field}",
        f"   expected: {_value(failure.expected)}",
        f"   actual: {_value(failure.actual)}",
        f"   en: {failure.text_en}",
        f"   da: {failure.text_da}",
        f"   fix: {failure.fix_en}",
    ]
    if failure.reproduce:
        lines.append(f"   reproduce: {failure.reproduce}")
    return "\n".join(lines)


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _seconds(value: float) -> str:
    return f"{max(float(value), 0.0):.3f}"


def _clean(text: str) -> str:
    """`text` with characters XML 1.0 forbids replaced by U+FFFD (ET escapes <, & and quotes itself)."""
    return _NOT_XML.sub("\ufffd", text)
