"""The `testkommune` command, run as a user runs it: a subprocess, reports read back from disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"COLUMNS": "100", "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "testkommune.harness", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_version_and_help(tmp_path):
    result = run_cli("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("testkommune ")
    assert "certify" in run_cli("--help", cwd=tmp_path).stdout


def test_demo_prints_both_verdicts_and_writes_reports_on_the_embedded_default(tmp_path):
    result = run_cli("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "foraeldrebetaling: VERDICT: PASSED" in out
    assert "foraeldrebetaling-overdrager-foer-srb: VERDICT: FAILED" in out
    assert "PSRM-SRB" in out
    assert (tmp_path / ".testkommune" / "testkommune.db").is_file()
    report = json.loads(
        (tmp_path / "testkommune-reports" / "basis-foraeldrebetaling.json").read_text("utf-8")
    )
    assert report["verdict"] == "PASSED"
    assert report["counts"] == {"passed": 3, "failed": 0, "error": 0, "not_supported": 0}


@pytest.mark.parametrize(
    ("variant", "scenario", "code", "field"),
    [
        ("periode-omvendt", "BASIS-01", "PSRM-569", "$.OpretDebitorkonto.Fordring[0].PeriodeFraDato"),
        ("overdrager-foer-srb", "BASIS-01", "PSRM-SRB", "DMIFordringSRBDato"),
        # the debitor system refuses the second registration of a FordringReference (one booking only)
        ("nyt-id-ved-genforsoeg", "BASIS-02", "DEB-FORDRING-DUBLET", "$.OpretDebitorkonto.Fordring[0]"),
    ],
)
def test_each_broken_variant_fails_for_its_own_reason(tmp_path, variant, scenario, code, field):
    result = run_cli("certify", "--suite", "basis", "--fagsystem", variant, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    name = f"foraeldrebetaling-{variant}"
    report = json.loads((tmp_path / "testkommune-reports" / f"basis-{name}.json").read_text("utf-8"))
    assert report["verdict"] == "FAILED"
    failed = {s["scenario_id"]: s for s in report["scenarios"] if s["outcome"] == "failed"}
    assert scenario in failed
    first = failed[scenario]["failures"][0]
    assert first["code"] == code
    assert field in first["field"]
    assert first["fix_en"] and first["text_da"]
    assert code in result.stdout and "Fix:" in result.stdout
    suite = ET.parse(tmp_path / "testkommune-reports" / f"basis-{name}.xml").getroot().find("testsuite")
    assert int(suite.get("failures")) == len(failed)


def test_reference_passes_and_junit_says_so(tmp_path):
    result = run_cli("certify", "--fagsystem", "reference", "--seed", "7", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    suite = (
        ET.parse(tmp_path / "testkommune-reports" / "basis-foraeldrebetaling.xml").getroot().find("testsuite")
    )
    assert suite.get("tests") == "3" and suite.get("failures") == "0" and suite.get("errors") == "0"


def test_broken_variant_failure_shows_how_to_reproduce(tmp_path):
    result = run_cli("certify", "--fagsystem", "periode-omvendt", "--scenario", "BASIS-01", cwd=tmp_path)
    assert result.returncode == 1
    assert "curl -sS -X POST" in result.stdout
    assert "--scenario BASIS-01 --seed 1 --fagsystem periode-omvendt" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("certify", "--suite", "basiss", "--fagsystem", "reference"), "Did you mean 'basis'?"),
        (("certify", "--fagsystem", "nope"), "unknown fagsystem"),
        (("certify", "--fagsystem", "reference", "--scenario", "BASIS-99"), "no scenario BASIS-99"),
        (("certify", "--fagsystem", "reference", "--url", "http://127.0.0.1:9"), "did not answer"),
        (("certify",), "--fagsystem"),
        (("certify", "--driver", "http"), "--trigger-url"),
        (("certify", "--driver", "http", "--trigger-url", "http://127.0.0.1:9"), "did not answer"),
    ],
)
def test_usage_errors_exit_2_with_a_clear_message(tmp_path, args, message):
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_suite_file_with_errors_is_explained(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: {da: a, en: b}\nscenarios:\n  - id: X-01\n    title: {da: a}\n", "utf-8")
    result = run_cli("certify", "--suite", str(bad), "--fagsystem", "reference", cwd=tmp_path)
    assert result.returncode == 2
    assert "$.scenarios[0].title.en" in result.stderr


def test_suites_lists_what_can_be_run(tmp_path):
    result = run_cli("suites", cwd=tmp_path)
    assert result.returncode == 0
    assert "BASIS-01" in result.stdout and "nyt-id-ved-genforsoeg" in result.stdout


def test_docs_regenerates_the_catalogue_pages(tmp_path):
    result = run_cli("docs", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0
    assert (tmp_path / "out" / "fejlkoder.md").read_text("utf-8") == (
        ROOT / "docs" / "fejlkoder.md"
    ).read_text("utf-8")
