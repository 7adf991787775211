"""The new suites' verdicts recompute offline from their evidence bundles (ERP and NemKonto views too)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testkommune.harness.certify.registry import evaluate
from testkommune.harness.evidence import verify_bundle
from testkommune.harness.evidence.codec import observation_from_json

from tests.test_evidence import run_cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("suite-evidence")
    for suite, variant, code in [
        ("finans", "reference", 0),
        ("finans", "ubalanceret-bilag", 1),
        ("fejlliste", "udbetaler-til-cvr", 1),
    ]:
        result = run_cli("certify", "--suite", suite, "--fagsystem", variant, cwd=root)
        assert result.returncode == code, result.stdout[-2000:] + result.stderr[-2000:]
    return root / "testkommune-reports"


@pytest.mark.parametrize(
    ("bundle", "verdict"),
    [
        ("finans-foraeldrebetaling.bevis", "PASSED"),
        ("finans-foraeldrebetaling-ubalanceret-bilag.bevis", "FAILED"),
        ("fejlliste-foraeldrebetaling-udbetaler-til-cvr.bevis", "FAILED"),
    ],
)
def test_the_bundle_verifies_and_the_verdict_recomputes(reports, bundle, verdict):
    report = verify_bundle(reports / bundle)
    assert report.valid, report.problems
    assert report.verdict_recorded == report.verdict_recomputed == verdict


def _step(reports: Path, bundle: str, scenario: str, check: str) -> dict:
    """The last step of `scenario` that applied `check` (each scenario ends in whole-tenant checks)."""
    steps = sorted((reports / bundle / "observations" / scenario).glob("step-*.json"))
    judged = [json.loads(p.read_text("utf-8")) for p in steps if f'"{check}"' in p.read_text("utf-8")]
    assert judged, f"no step of {scenario} applied {check}"
    return judged[-1]


def test_the_finans_verdict_is_judged_from_the_recorded_erp_books(reports):
    step = _step(reports, "finans-foraeldrebetaling.bevis", "FIN-01", "finans_booked_on")
    recorded = step["observation"]
    assert evaluate(step["expectations"], observation_from_json(recorded)) == []
    for posting in recorded["state"]["erp"]["posteringer"]:
        posting["Kontostreng"] = posting["Kontostreng"].replace("5.25.14", "5.25.13")
    failures = evaluate(step["expectations"], observation_from_json(recorded))
    assert [(f.check, f.code) for f in failures] == [("finans_booked_on", "CERT-FINANS-KONTOSTRENG")]


def test_the_payout_verdict_is_judged_from_the_recorded_nemkonto_payments(reports):
    step = _step(reports, "fejlliste-foraeldrebetaling-udbetaler-til-cvr.bevis", "FEJL-05", "paid_to_payee")
    failures = evaluate(step["expectations"], observation_from_json(step["observation"]))
    # the refused payout first, then the wrong payee, then the count (FEJL-05 expects one payout made)
    assert [f.code for f in failures] == ["NK-NEMKONTO-MANGLER", "CERT-PART-AFVIGER", "CERT-UDBETALING-ANTAL"]
