"""Reports written from hand-built results: JSON (against its contract), JUnit XML and the console."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.console import Console
from testkommune.contracts.schemas import contract_set
from testkommune.harness import __version__
from testkommune.harness.certify.events import RunFinished, RunStarted, ScenarioFinished, ScenarioStarted
from testkommune.harness.certify.results import Failure, RunResult, ScenarioResult, StepRecord
from testkommune.harness.reporting import (
    REPORT_FORMAT,
    ConsoleReporter,
    summary_line,
    write_json,
    write_junit,
)

HOSTILE = "<script>&\"'"
CURL = (
    "curl -sS -X POST 'http://127.0.0.1:8585/psrm/MFFordringIndberet' -H 'Content-Type: application/json' "
    '-H \'X-Kommune: 851\' --data \'{"Skyldner": "Søren Ærø-Åberg", "note": "it\'"\'"\'s [red]here[/]", '
    '"Beløb": 1200.5, "Periode": {"Fra": "2026-01-01", "Til": "2026-01-31"}}\''
)


def _failure(code: str, **changes: object) -> Failure:
    values: dict[str, object] = {
        "check": "psrm_accepted",
        "code": code,
        "field": "$.MFFordringIndberet_I.Periode.Til",
        "expected": "2026-01-31",
        "actual": "2026-01-01",
        "text_da": f"Perioden slutter før den begynder ({code}).",
        "text_en": f"The period ends before it begins ({code}).",
        "fix_da": "Send Til efter Fra.",
        "fix_en": "Send Til after Fra.",
        "source": {"title": "PSRM grænseflade", "url": "https://example.invalid/psrm"},
    }
    return Failure(**(values | changes))  # type: ignore[arg-type]


def _run() -> RunResult:
    passing = ScenarioResult(
        "BASIS-01",
        "Månedlig opkrævning",
        "Monthly billing",
        ["R1"],
        "Bekendtgørelse",
        "passed",
        steps=[StepRecord(1, "bill", "bill all", "2026-02-01T09:00:00+01:00")],
        duration_s=0.25,
    )
    failing = ScenarioResult(
        "BASIS-02",
        "Periode på fordring",
        "Period on the claim",
        ["R2", "R3"],
        "PSRM vejledning",
        "failed",
        failures=[
            _failure("PSRM-PERIODE", reproduce=CURL),
            _failure(
                "PSRM-BELOEB",
                check="psrm_amount",
                field="$.Beløb",
                expected=1200.5,
                actual=None,
                text_en=f"Amount rejected: {HOSTILE}",
                text_da=f"Beløb afvist: {HOSTILE}",
            ),
        ],
        steps=[
            StepRecord(1, "bill", "bill all", "2026-02-01T09:00:00+01:00"),
            StepRecord(2, "expect", "psrm_accepted", "2026-02-01T09:00:00+01:00", "failed"),
        ],
        duration_s=1.5,
    )
    erroring = ScenarioResult(
        "BASIS-03",
        "Dagligt job",
        "Daily job",
        [],
        "Intern",
        "error",
        failures=[
            _failure(
                "CERT-FAGSYSTEM-FEJL",
                check="fagsystem",
                field="-",
                expected="no exception",
                actual="KeyError",
            )
        ],
        steps=[StepRecord(1, "daily", "daily", "2026-02-02T09:00:00+01:00", "error")],
        error="KeyError: 'debitor'",
        duration_s=0.75,
    )
    return RunResult(
        suite_id="basis",
        suite_title="Basic certification",
        fagsystem="foraeldrebetaling",
        fagsystem_version="1.2.3",
        driver="python",
        kommune="851",
        system="foraeldrebetaling",
        seed=7,
        contracts_version="2026.11.0",
        started_at="2026-02-01T08:00:00+00:00",
        base_url="http://127.0.0.1:8585",
        scenarios=[passing, failing, erroring],
        finished_at="2026-02-01T08:00:03+00:00",
        duration_s=2.5,
    )


def _all_passing() -> RunResult:
    run = _run()
    run.scenarios = run.scenarios[:1]
    return run


def _render(run: RunResult, language: str = "en") -> str:
    out = io.StringIO()
    reporter = ConsoleReporter(Console(file=out, width=80, color_system=None), language=language)
    reporter.handle(RunStarted(run.suite_id, run.suite_title, run.fagsystem, len(run.scenarios), run.seed))
    for scenario in run.scenarios:
        reporter.handle(ScenarioStarted(scenario.scenario_id, scenario.title_en))
        reporter.handle(ScenarioFinished(scenario))
    reporter.handle(RunFinished(run))
    return out.getvalue()


# -- JSON ------------------------------------------------------------------------------------------------


def test_json_report_parses_validates_and_round_trips(tmp_path: Path) -> None:
    path = write_json(_run(), tmp_path / "deep" / "er" / "report.json")
    assert path == tmp_path / "deep" / "er" / "report.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert contract_set().get("harness/rapport").check(doc) == []
    assert doc["report_format"] == REPORT_FORMAT == "testkommune-certification/1"
    assert doc["generated_by"] == f"testkommune {__version__}"
    assert doc["verdict"] == "FAILED"
    assert doc["counts"] == {"passed": 1, "failed": 1, "error": 1, "not_supported": 0}
    assert [s["scenario_id"] for s in doc["scenarios"]] == ["BASIS-01", "BASIS-02", "BASIS-03"]
    assert doc["scenarios"][1]["failures"][0]["reproduce"] == CURL
    assert doc["scenarios"][1]["failures"][1]["text_en"] == f"Amount rejected: {HOSTILE}"
    assert doc["scenarios"][2]["error"] == "KeyError: 'debitor'"
    assert {k: v for k, v in doc.items() if k not in ("report_format", "generated_by")} == _run().as_dict()


def test_json_report_keeps_danish_letters_readable(tmp_path: Path) -> None:
    text = write_json(_run(), tmp_path / "report.json").read_text(encoding="utf-8")
    assert "Søren Ærø-Åberg" in text
    assert "\\u00" not in text


def test_json_report_of_a_passing_run_validates(tmp_path: Path) -> None:
    doc = json.loads(write_json(_all_passing(), tmp_path / "report.json").read_text(encoding="utf-8"))
    assert doc["verdict"] == "PASSED"
    assert contract_set().get("harness/rapport").check(doc) == []


def test_rapport_contract_rejects_a_wrong_document(tmp_path: Path) -> None:
    doc = json.loads(write_json(_run(), tmp_path / "report.json").read_text(encoding="utf-8"))
    doc["verdict"] = "MAYBE"
    doc["scenarios"][0]["outcome"] = "skipped"
    del doc["scenarios"][1]["failures"][0]["fix_en"]
    codes = {(f.code, f.path) for f in contract_set().get("harness/rapport").check(doc)}
    assert ("SCHEMA-ENUM", "$.verdict") in codes
    assert ("SCHEMA-ENUM", "$.scenarios[0].outcome") in codes
    assert ("SCHEMA-REQUIRED", "$.scenarios[1].failures[0].fix_en") in codes


def test_reports_replace_the_file_whole_and_leave_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    write_json(_run(), target)
    write_junit(_run(), tmp_path / "report.xml")
    assert json.loads(target.read_text(encoding="utf-8"))["suite_id"] == "basis"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "report.xml"]


# -- JUnit -----------------------------------------------------------------------------------------------


def _junit(tmp_path: Path, run: RunResult | None = None) -> ET.Element:
    path = write_junit(run or _run(), tmp_path / "out" / "report.xml")
    return ET.parse(path).getroot()


def test_junit_counts_names_and_properties(tmp_path: Path) -> None:
    root = _junit(tmp_path)
    assert root.tag == "testsuites"
    assert root.attrib == {
        "name": "testkommune",
        "tests": "3",
        "failures": "1",
        "errors": "1",
        "time": "2.500",
    }
    (suite,) = root.findall("testsuite")
    assert suite.attrib == {
        "name": "basis",
        "tests": "3",
        "failures": "1",
        "errors": "1",
        "skipped": "0",
        "time": "2.500",
        "timestamp": "2026-02-01T08:00:00+00:00",
        "hostname": "testkommune",
    }
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties == {
        "fagsystem": "foraeldrebetaling",
        "fagsystem_version": "1.2.3",
        "driver": "python",
        "seed": "7",
        "contracts_version": "2026.11.0",
        "kommune": "851",
        "system": "foraeldrebetaling",
    }
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "BASIS-01 Monthly billing",
        "BASIS-02 Period on the claim",
        "BASIS-03 Daily job",
    ]
    assert {c.get("classname") for c in cases} == {"testkommune.basis"}
    assert [c.get("time") for c in cases] == ["0.250", "1.500", "0.750"]
    assert list(cases[0]) == []


def test_junit_failure_and_error_elements(tmp_path: Path) -> None:
    cases = _junit(tmp_path).findall("testsuite/testcase")
    (failure,) = cases[1].findall("failure")
    assert failure.get("message") == "PSRM-PERIODE: The period ends before it begins (PSRM-PERIODE)."
    assert failure.get("type") == "psrm_accepted"
    body = failure.text or ""
    for needle in (
        "PSRM-PERIODE",
        "PSRM-BELOEB",
        "psrm_amount",
        "$.Beløb",
        "1200.5",
        "null",
        "Perioden slutter før den begynder",
        "Send Til after Fra.",
        CURL,
    ):
        assert needle in body
    (error,) = cases[2].findall("error")
    assert error.get("type") == "error"
    assert error.get("message") == "KeyError: 'debitor'"
    assert "CERT-FAGSYSTEM-FEJL" in (error.text or "")
    assert not cases[1].findall("error") and not cases[2].findall("failure")


def test_junit_keeps_xml_hostile_text_intact(tmp_path: Path) -> None:
    run = _run()
    run.scenarios[1].failures.insert(0, _failure("HOSTILE", text_en=HOSTILE, fix_en=f"Fix {HOSTILE}"))
    run.scenarios[1].title_en = f"Title {HOSTILE}"
    cases = _junit(tmp_path, run).findall("testsuite/testcase")
    (failure,) = cases[1].findall("failure")
    assert failure.get("message") == f"HOSTILE: {HOSTILE}"
    assert cases[1].get("name") == f"BASIS-02 Title {HOSTILE}"
    assert f"en: {HOSTILE}" in (failure.text or "")
    assert f"fix: Fix {HOSTILE}" in (failure.text or "")


def test_junit_survives_characters_xml_cannot_carry(tmp_path: Path) -> None:
    run = _run()
    run.scenarios[2].error = "ValueError: bad byte \x00\x1b[31m here"
    (error,) = _junit(tmp_path, run).findall("testsuite/testcase/error")
    assert error.get("message") == "ValueError: bad byte \ufffd\ufffd[31m here"


# -- console ---------------------------------------------------------------------------------------------


def test_console_shows_progress_and_verdict() -> None:
    out = _render(_run())
    lines = out.splitlines()
    assert lines[0] == "Certifying foraeldrebetaling: suite basis, seed 7, 3 scenario(s)"
    assert lines[1].split() == ["PASS", "BASIS-01", "Monthly", "billing", "(0.25s)"]
    assert lines[2].split()[:2] == ["FAIL", "BASIS-02"]
    assert lines[3].split()[:2] == ["ERROR", "BASIS-03"]
    assert "VERDICT: FAILED (1 passed, 1 failed, 1 error)" in lines


def test_console_lists_failures_codes_first_with_fixes_and_replay() -> None:
    out = _render(_run())
    section = out[out.index("VERDICT: FAILED") :]
    codes = "Failing codes, first on top: PSRM-PERIODE, PSRM-BELOEB, CERT-FAGSYSTEM-FEJL"
    assert section.splitlines()[1] == codes
    first_code = section.index("PSRM-PERIODE")
    for later in (
        "$.MFFordringIndberet_I",
        "expected:",
        "actual:",
        "The period ends",
        "Fix:",
        "Reproduce:",
        "curl",
        "Replay",
    ):
        assert first_code < section.index(later), later
    details = section[section.index("\n  1. PSRM-PERIODE") :]
    assert details.index("PSRM-PERIODE") < details.index("PSRM-BELOEB") < details.index("CERT-FAGSYSTEM-FEJL")
    assert details.index("Send Til after Fra.") > details.index("PSRM-PERIODE")
    assert section.count("Fix: Send Til after Fra.") == 3
    assert 'expected: "2026-01-31"' in section and "actual: null" in section
    assert "Replay the scenario: testkommune certify --suite basis --scenario BASIS-02 --seed 7" in section
    assert "Replay the scenario: testkommune certify --suite basis --scenario BASIS-03 --seed 7" in section
    assert "--scenario BASIS-01" not in section
    assert "Error: KeyError: 'debitor'" in section


def test_console_prints_the_whole_curl_on_one_line() -> None:
    out = _render(_run())
    assert len(CURL) > 80
    assert any(line.strip() == CURL for line in out.splitlines())


def test_console_reads_without_colour_and_other_lines_fit_80_columns() -> None:
    out = _render(_run())
    assert "\x1b[" not in out
    long_lines = [line for line in out.splitlines() if len(line) > 80]
    assert all("curl " in line or "testkommune certify" in line for line in long_lines)


def test_console_passing_run_has_no_failures_section() -> None:
    out = _render(_all_passing())
    assert "VERDICT: PASSED (1 passed, 0 failed, 0 error)" in out
    assert "Failing codes" not in out and "Fix:" not in out


def test_console_in_danish() -> None:
    out = _render(_run(), language="da")
    assert "Månedlig opkrævning" in out and "Periode på fordring" in out
    assert "Perioden slutter før den begynder (PSRM-PERIODE)." in out
    assert "Ret: Send Til efter Fra." in out
    assert "Fejlkoder, første øverst: PSRM-PERIODE" in out
    assert "Kør scenariet igen: testkommune certify --suite basis --scenario BASIS-02 --seed 7" in out
    assert "Monthly billing" not in out and "The period ends" not in out
    assert "VERDICT: FAILED" in out


def test_console_rejects_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="language"):
        ConsoleReporter(Console(file=io.StringIO()), language="sv")


def test_summary_line() -> None:
    assert summary_line(_run()) == "VERDICT: FAILED (1 passed, 1 failed, 1 error)"
    assert summary_line(_all_passing()) == "VERDICT: PASSED (1 passed, 0 failed, 0 error)"
    empty = _run()
    empty.scenarios = []
    assert summary_line(empty) == "VERDICT: FAILED (0 passed, 0 failed, 0 error): no scenarios ran"


def test_json_report_rounds_runner_durations_so_the_contract_accepts_them(tmp_path: Path) -> None:
    run = _run()
    run.duration_s = 2.346
    run.scenarios[0].duration_s = 0.257
    doc = json.loads(write_json(run, tmp_path / "report.json").read_text(encoding="utf-8"))
    assert (doc["duration_s"], doc["scenarios"][0]["duration_s"]) == (2.35, 0.26)
    assert contract_set().get("harness/rapport").check(doc) == []
    (case, *_) = _junit(tmp_path, run).findall("testsuite/testcase")
    assert case.get("time") == "0.257"
