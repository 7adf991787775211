"""Scenarios generated from data (suite matrix): fordringstype × debtor × life event × role, each exclusion
with its reason; both references pass every generated scenario of their role, broken variants fail them for
their own code, and the full certification runs in one command."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
import yaml
from testkommune.contracts.driver import KommuneConnection
from testkommune.harness.certify import matrix
from testkommune.harness.certify.runner import Runner
from testkommune.harness.certify.suite import BUILTIN_DIR, SuiteError, builtin_suites, load_suite
from testkommune.scenarios.fagsystemer import VARIANTS
from testkommune.scenarios.fagsystemer.proofs import MATRIX_PROOFS

from tests.test_evidence import run_cli

GENERATED_ID = re.compile(r"^MAT-([A-Z0-9]+)-([A-Z0-9]+)-([A-Z0-9]+)-(OIR|S2S)$")


def _raw() -> dict:
    return yaml.safe_load((BUILTIN_DIR / "matrix.yaml").read_text("utf-8"))


def test_the_matrix_generates_at_least_300_scenarios_with_stable_readable_ids():
    suite = load_suite("matrix")
    ids = [s.id for s in suite.scenarios]
    assert len(ids) >= 300 and len(set(ids)) == len(ids)
    raw = _raw()["matrix"]
    for scenario in suite.scenarios:
        kind, debtor, event, role = GENERATED_ID.match(scenario.id).groups()  # type: ignore[union-attr]
        assert kind in raw["fordringstyper"] and debtor in raw["debtors"] and event in raw["events"]
        assert scenario.role == {"OIR": "oir", "S2S": "psrm-s2s"}[role]
        assert scenario.cases[0].service == raw["fordringstyper"][kind]["service"]
        assert scenario.debtor == raw["debtors"][debtor]["debtor"]
    again = [
        s["id"]
        for s in matrix.expand(yaml.safe_load((BUILTIN_DIR / "matrix.yaml").read_text("utf-8"))["matrix"])
    ]
    assert again == ids  # same data, same scenarios, same order
    assert sum(len(load_suite(name).scenarios) for name in builtin_suites()) >= 300 + 50


def test_every_exclusion_gives_its_reason_and_leaves_something_out():
    raw = _raw()["matrix"]
    every = [
        dict(zip(matrix.AXES, c, strict=True))
        for c in itertools.product(raw["fordringstyper"], raw["debtors"], raw["events"], raw["roles"])
    ]
    for rule in raw["exclude"]:
        alone = raw | {"exclude": [rule]}
        assert len(rule["reason"]) > 20
        assert any(matrix.excluded_by(alone, c) == rule["reason"] for c in every), rule["where"]
    kept = matrix.combinations(raw)
    assert ("KFDAINS", "PERSON", "AFSKREVET", "oir") in kept
    assert ("KFDAINS", "PERSON", "AFSKREVET", "psrm-s2s") not in kept  # no write-off action at PSRM
    assert ("KFDAINS", "CVR", "INGEN", "oir") not in kept  # a company attends no day care


def test_a_percentage_amount_is_that_share_of_the_case_amount():
    scenario = next(s for s in load_suite("matrix").scenarios if s.id == "MAT-KFDAINS-PERSON-RETNED-OIR")
    event = next(value for kind, value in scenario.steps if kind == "event")
    assert scenario.cases[0].amount == "3200.00" and event["amount"] == "2800.00"  # 87.5 %
    partly = next(s for s in load_suite("matrix").scenarios if s.id == "MAT-KFRENAB-PERSON-DELBETALT-OIR")
    paid = next(value for kind, value in partly.steps if kind == "event")
    assert paid["amount"] == "318.88"  # 25 % of 1275.50, rounded half up to øre


def test_an_exclusion_naming_an_unknown_value_is_refused(tmp_path: Path):
    text = (
        (BUILTIN_DIR / "matrix.yaml").read_text("utf-8").replace("debtor: [CVR, EJER]", "debtor: [CRV, EJER]")
    )
    broken = tmp_path / "matrix-typo.yaml"
    broken.write_text(text, "utf-8")
    with pytest.raises(SuiteError, match="exclusion 1 names unknown debtor CRV"):
        load_suite(str(broken))


@pytest.mark.parametrize("variant", sorted(MATRIX_PROOFS))
def test_a_broken_variant_fails_a_generated_scenario_for_its_own_code(kommune, variant):
    wanted = MATRIX_PROOFS[variant]
    connection = KommuneConnection(kommune.base_url, "851", f"mat-{variant}"[:40])
    result = Runner(load_suite("matrix"), VARIANTS[variant](), connection).run(only=sorted(wanted))
    for scenario in result.scenarios:
        assert scenario.outcome == "failed", (scenario.scenario_id, scenario.outcome, scenario.error)
        first = scenario.failures[0]
        assert (first.check, first.code) == wanted[scenario.scenario_id], scenario.scenario_id
        assert first.text_da and first.fix_en and "{" not in first.text_en


def test_the_direct_role_reference_passes_every_generated_scenario_of_its_role(kommune):
    connection = KommuneConnection(kommune.base_url, "851", "mat-reference-s2s")
    result = Runner(load_suite("matrix"), VARIANTS["reference-s2s"](), connection).run()
    failed = {s.scenario_id: [f.code for f in s.failures] for s in result.scenarios if s.outcome == "failed"}
    assert result.passed, failed
    by_role = {s.id: s.role for s in load_suite("matrix").scenarios}
    for outcome in result.scenarios:
        mine = by_role[outcome.scenario_id] == "psrm-s2s"
        assert outcome.outcome == ("passed" if mine else "not_supported"), outcome.scenario_id


def test_the_full_certification_runs_in_one_command_and_the_reference_passes_it(tmp_path: Path):
    """`certify --suite all`: every built-in suite, the generated ones included, one verdict."""
    done = run_cli(
        "certify",
        "--fagsystem",
        "reference",
        "--suite",
        "all",
        "--db",
        ":memory:",
        "--report-dir",
        str(tmp_path / "reports"),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    summary = re.search(r"ALL SUITES: PASSED \((\d+) suites, (\d+) scenarios: (.*)\) in", done.stdout)
    assert summary is not None, done.stdout[-2000:]
    assert int(summary.group(1)) == len(builtin_suites()) and int(summary.group(2)) >= 350
    assert "failed" not in summary.group(3) and "error" not in summary.group(3)
    assert (tmp_path / "reports" / "matrix-foraeldrebetaling.json").exists()
