"""Verdicts KOMBIT can sign (issue 13): every lawful fagsystem passes every suite, every broken variant fails
for its own code, the words name the right case and cause, and a raising check is an ERROR, not a crash."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.console import Console
from testkommune.contracts.catalogue import error_catalogue
from testkommune.contracts.driver import KommuneConnection
from testkommune.contracts.registry import Registry
from testkommune.harness.certify import checks, registry
from testkommune.harness.certify.checks import Check
from testkommune.harness.certify.client import AdminClient
from testkommune.harness.certify.events import RunFinished, ScenarioFinished
from testkommune.harness.certify.observation import Observation, refusals_in
from testkommune.harness.certify.registry import CHECKS
from testkommune.harness.certify.runner import Runner
from testkommune.harness.certify.suite import builtin_suites, load_suite
from testkommune.harness.certify.timeline import handover_window, target_day
from testkommune.harness.reporting import ConsoleReporter, write_json, write_junit
from testkommune.harness.reporting.html import render_html
from testkommune.scenarios.fagsystemer import VARIANTS
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling
from testkommune.scenarios.fagsystemer.proofs import LIFE_PROOFS, PROOFS
from testkommune.scenarios.fagsystemer.varianter_livsforloeb import LIVSFORLOEB_VARIANTS
from testkommune.scenarios.fagsystemer.varianter_selvtest import BROKEN, LAWFUL
from testkommune.scenarios.fagsystemer.varianter_udefra import UDEFRA_BROKEN, UDEFRA_LAWFUL

from tests.test_registries import undeclared

SUITES = sorted(set(builtin_suites()) - {"matrix"})  # the generated suite: tests/test_matrix.py (CI time)


def _run(kommune, suite: str, variant: str, only: list[str] | None = None):
    """Run the self-test's `variant` against `suite`; every code a check names is one it declares."""
    connection = KommuneConnection(kommune.base_url, "851", f"v-{variant}"[:40])
    result = Runner(load_suite(suite), VARIANTS[variant](), connection).run(only=only)
    assert not undeclared(result), undeclared(result)
    return result


def _failed(result) -> dict[str, list[str]]:
    return {s.scenario_id: [f.code for f in s.failures] for s in result.scenarios if s.outcome != "passed"}


def test_every_variant_of_the_catalogue_is_judged_here():
    """≥ 40 broken variants, each with its proof; ≥ 4 lawful ones besides the reference."""
    classic = set(VARIANTS) - set(LIVSFORLOEB_VARIANTS)  # the life-of-a-case ones: LIFE_PROOFS
    classic -= set(UDEFRA_BROKEN) | set(UDEFRA_LAWFUL)  # the outside team's: tests/test_varianter_udefra.py
    assert set(PROOFS) == classic - set(LAWFUL) - {"reference"}
    assert set(BROKEN) <= set(PROOFS)
    assert len(PROOFS) >= 40 and len(LAWFUL) >= 4


# every lawful variant against every suite: livsforloeb's scenarios of both roles move the clock from the
# claims' own dates (ØiR role) or step day by day until the fagsystem hands over (direct role)
LAWFUL_RUNS = [(v, s) for v in sorted(LAWFUL) for s in SUITES]


@pytest.mark.parametrize(("variant", "suite"), LAWFUL_RUNS)
def test_a_lawful_fagsystem_written_differently_passes_every_suite(kommune, variant, suite):
    """e.g. SRB 21 days after forfald, not 14: the suites judge the claim's own dates, not a calendar."""
    result = _run(kommune, suite, variant)
    assert result.passed, _failed(result)


@pytest.mark.parametrize("variant", sorted(PROOFS))
def test_a_broken_variant_fails_for_its_own_code(kommune, variant):
    """Each suite of its proof fails it, every failing scenario names one of its defect's codes (else the
    suite raised a false alarm or chose a wrong word), and each code of the proof is named somewhere."""
    proof = PROOFS[variant]
    assert all(code in error_catalogue() for code in proof.codes)
    named: set[str] = set()
    for suite in proof.suites:
        failed = _failed(_run(kommune, suite, variant))
        assert failed, f"{variant} passed {suite}"
        assert all(set(proof.codes) & set(codes) for codes in failed.values()), (suite, failed)
        named |= {code for codes in failed.values() for code in codes}
    assert set(proof.codes) <= named, set(proof.codes) - named


def test_the_life_of_a_case_proofs_are_the_ones_test_livsforloeb_asserts():
    from tests.test_livsforloeb import CAUGHT

    assert {v: set(p.codes) for v, p in LIFE_PROOFS.items()} == {
        v: {code for _, code in wanted.values()} for v, wanted in CAUGHT.items()
    }


def test_a_claim_found_by_its_own_reference_names_its_own_case(kommune):
    """Two cases of one debtor and month: a check names the case the claim was sent for (not by amount)."""
    result = _run(kommune, "forretningsomraader", "rente-som-hovedfordring", only=["OMR-06"])
    failure = result.scenarios[0].failures[0]
    assert (failure.check, failure.code) == ("booked_once", "CERT-FORDRING-EKSTRA")
    assert "OMR-06-1" in failure.text_en and "REN-OMR-06-1-202610 (45.0 kr)" in failure.text_en


def test_a_reused_transaktionsid_refusal_is_read_whatever_its_journal_shape():
    bare = refusals_in(
        {"code": "OIR-TRANSAKTIONSID-GENBRUGT"}, request='{"Hovedoplysninger": {"TransaktionsID": "T1"}}'
    )
    assert [r["code"] for r in bare] == ["OIR-TRANSAKTIONSID-GENBRUGT"]
    assert "T1" in bare[0]["text_en"] and bare[0]["fix_en"]
    problem = {"errors": [{"code": "SCHEMA-X", "text_en": "bad"}]}
    receipt = {"Forretningskvittering": {"Status": "AFVIST", "Fejl": [{"code": "PSRM-569", "text_en": "p"}]}}
    lost = receipt | {"_fault": {"kind": "lose_answer"}}
    assert [len(refusals_in(a)) for a in (problem, receipt, lost, {"fault": {"kind": "error"}})] == [
        1,
        1,
        1,
        0,
    ]


def _observation(actions: list[dict]) -> Observation:
    state = {"debitor": {"claims": [], "accounts": []}, "psrm": {"actions": actions}}
    return Observation(state, [], [], [], "http://127.0.0.1:1", {})


def test_handover_after_srb_reads_past_a_write_down_or_recall():
    """Why 6: one write-down or recall at PSRM raised KeyError (traceback, exit 1, no report)."""
    nedskriv = {
        "Anmodning": {"AktionValg": {"MFNedskrivFordringStruktur": {}}},
        "MFAktionStatusKode": "UDFOERT",
    }
    tilbagekald = {"Anmodning": {"AktionValg": {"MFTilbagekaldFordringStruktur": {}}}}
    early = {
        "Anmodning": {
            "AktionValg": {
                "OpretFordringAktion": {
                    "MFOpretFordringStruktur": {
                        "DMIFordringSRBDato": "2026-10-15",
                        "DMIFordringFordringHaverRef": "R",
                    }
                }
            }
        },
        "DMIFordringModtagelseDato": "2026-10-10T09:00:00+02:00",
    }
    failures = CHECKS["handover_after_srb"](_observation([nedskriv, tilbagekald, early]), None)
    assert [f.code for f in failures] == ["PSRM-SRB"]


def test_a_check_that_raises_is_an_error_in_every_report(kommune, tmp_path: Path, monkeypatch):
    def broken(obs, _):
        raise KeyError("MFOpretFordringStruktur")

    raising = Check("psrm_status", "broken", broken, ("CERT-PSRM-STATUS",))
    replaced = [raising if c.name == "psrm_status" else c for c in CHECKS]
    monkeypatch.setattr(registry, "CHECKS", Registry("checks with a broken one", replaced))
    result = _run(kommune, "basis", "reference", only=["BASIS-01"])
    scenario = result.scenarios[0]
    assert scenario.outcome == "error" and result.verdict == "FAILED"
    assert scenario.failures[-1].code == checks.CHECK_ERROR and "KeyError" in (scenario.error or "")
    document = json.loads(write_json(result, tmp_path / "r.json").read_text("utf-8"))
    assert document["scenarios"][0]["outcome"] == "error"
    tree = ET.parse(write_junit(result, tmp_path / "r.xml"))
    assert tree.find(".//error") is not None
    assert "ERROR" in render_html(result)
    out = io.StringIO()
    reporter = ConsoleReporter(Console(file=out, width=120, no_color=True))
    reporter.handle(ScenarioFinished(scenario))
    reporter.handle(RunFinished(result))
    assert "ERROR" in out.getvalue() and checks.CHECK_ERROR in out.getvalue()
    assert "Traceback" not in out.getvalue()


def test_milestones_follow_the_claims_dates_and_the_profile():
    profile = {"rykker": {"dage_efter_srb": [1, 11]}, "overdragelse_dage_efter_sidste_rykker": 10}
    data = {"ForfaldDato": "2026-10-01", "SidsteRettidigeBetalingDato": "2026-10-22"}
    first, last = handover_window(data, profile)
    assert (first.isoformat(), last.isoformat()) == ("2026-11-02", "2026-11-12")
    claims = [{"Data": data}, {"Data": data | {"SidsteRettidigeBetalingDato": "2026-10-15"}}]
    assert target_day("srb+1d", claims, profile).isoformat() == "2026-10-23"
    assert target_day("forfald-2d", claims, profile).isoformat() == "2026-09-29"
    assert target_day("handover_due", [{"Data": {}}], profile) is None


def test_each_failure_names_the_cause_that_was_observed(kommune):
    """A rejected bilag is 'rejected' (not advice about lost answers); a payout that reached NemKonto with the
    wrong amount is not 'lost'; a claim never asked handed over says so, with the profile's window."""
    rejected = _run(kommune, "finans", "ubalanceret-bilag", only=["FIN-01"]).scenarios[0]
    booked = [f for f in rejected.failures if f.check == "finans_booked"]
    assert [f.code for f in booked] == ["CERT-FINANS-AFVIST"] and "ERP-BILAG-UBALANCE" in booked[0].text_en
    short = _run(kommune, "fejlliste", "udbetaler-for-lidt", only=["FEJL-05"]).scenarios[0]
    assert [(f.code, f.field) for f in short.failures] == [
        ("CERT-STAMDATA-AFVIGER", "$.PaymentTransaction[].Beløb")
    ]
    never = _run(kommune, "basis", "overdrager-aldrig", only=["BASIS-01"]).scenarios[0].failures[0]
    assert never.code == "CERT-IKKE-OVERDRAGET" and never.actual == "never asked"
    assert "BASIS-01-1" in never.text_en and "DEB-A" in never.text_en


def test_the_invariants_run_after_every_scenario_and_a_violation_fails_it(kommune, monkeypatch):
    """What the invariants report (GET …/invarianter) is judged after the scenario's own steps."""
    violation = {
        "code": "INV-OPKRAEVNING-INDDRIVELSE",
        "path": "$",
        "text_en": "Claim FB is under opkrævning and under inddrivelse.",
        "text_da": "Fordring FB er under opkrævning og under inddrivelse.",
        "fix_en": "-",
        "fix_da": "-",
    }
    report = {
        "ok": False,
        "invarianter": [{"Navn": "opkraevning_eller_inddrivelse", "violations": [violation]}],
    }
    calls: list[int] = []

    def invariants(self):
        calls.append(1)
        return report

    monkeypatch.setattr(AdminClient, "invariants", invariants)
    result = _run(kommune, "fejlliste", "reference", only=["FEJL-02", "FEJL-03"])
    assert len(calls) == 2
    assert [[(f.check, f.code) for f in s.failures] for s in result.scenarios] == [
        [("invariants_hold", "INV-OPKRAEVNING-INDDRIVELSE")]
    ] * 2
    assert result.scenarios[0].steps[-1].detail.endswith("invariants_hold")


class _RefusedForOneService(Foraeldrebetaling):
    """Writes the period backwards for sickness-benefit repayments only: ØiR refuses that one claim."""

    name = "foraeldrebetaling-test-en-afvist"

    def periode(self, case):
        start, end = super().periode(case)
        return (end, start) if case.service == "sygedagpenge-tilbagebetaling" else (start, end)


def test_a_refused_claim_is_never_judged_against_another_cases_claim(kommune):
    """Why 7: 'HovedstolBeløb of OMR-05-1 is 2300.0, expected 8900.00' judged case 2's claim as case 1's."""
    connection = KommuneConnection(kommune.base_url, "851", "v-en-afvist")
    result = Runner(load_suite("forretningsomraader"), _RefusedForOneService(), connection).run(
        only=["OMR-05"]
    )
    failures = result.scenarios[0].failures
    assert [(f.check, f.code) for f in failures] == [("oir_accepted", "PSRM-569")]
    assert "2300" not in json.dumps([f.as_dict() for f in failures])
