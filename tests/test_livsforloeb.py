"""The life of a case: business events reach the fagsystem through every driver, each broken variant
fails for its own code, both references pass in their role, and what is not declared is NOT SUPPORTED."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from testkommune.contracts.driver import ConformanceStatement, KommuneConnection
from testkommune.contracts.events import (
    BUSINESS_EVENTS,
    AmountCorrected,
    ComplaintDecided,
    ComplaintReceived,
    DebtorPaid,
    HearingToAnswer,
    PriceRegulated,
    RaisedInError,
    ServiceEnded,
    WrittenOff,
    event_from_json,
    event_to_json,
)
from testkommune.harness.certify.client import AdminClient
from testkommune.harness.certify.drivers import HttpTriggerDriver, InteractiveDriver, ObservationDriver
from testkommune.harness.certify.registry import evaluate
from testkommune.harness.certify.runner import Runner
from testkommune.harness.certify.suite import load_suite
from testkommune.harness.evidence import verify_bundle
from testkommune.harness.evidence.codec import observation_from_json
from testkommune.harness.reporting.junit import junit_tree
from testkommune.scenarios.fagsystemer import VARIANTS
from testkommune.scenarios.fagsystemer.agent import ScriptFollower
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling
from testkommune.scenarios.fagsystemer.livsforloeb import OIR_EVENTS
from testkommune.scenarios.fagsystemer.trigger import trigger_app

from tests.test_drivers import _Served
from tests.test_evidence import run_cli
from tests.test_registries import undeclared

pytest_plugins = ["pytester"]

TILSTAND = ("claim_after_events", "CERT-LIVSFORLOEB-TILSTAND")
HOVEDSTOL = ("claim_after_events", "CERT-LIVSFORLOEB-HOVEDSTOL")
RESTANCE = ("claim_after_events", "CERT-LIVSFORLOEB-RESTANCE")
MEDHAEFTER = ("co_debtors_liable", "CERT-MEDHAEFTER-MANGLER")
CO_DEBTORS = {"LIV-11": MEDHAEFTER, "LIV-12": MEDHAEFTER, "LIV-13": MEDHAEFTER, "LIV-26": MEDHAEFTER}


def _psrm(code: str) -> tuple[str, str]:
    return ("exchanges_accepted", code)


# variant → {scenario: (first failing check, its code)}: the defect is caught there, for its own reason
CAUGHT: dict[str, dict[str, tuple[str, str]]] = {
    "ignorerer-rettelse": {"LIV-01": HOVEDSTOL, "LIV-02": HOVEDSTOL},
    "opskriver-ikke": {"LIV-02": HOVEDSTOL},
    "ophoer-hele-maaneden": {"LIV-03": HOVEDSTOL},
    "nedskriver-ved-fejl": {"LIV-05": TILSTAND},
    "klage-ignoreres": {"LIV-06": TILSTAND},
    "genoptager-ikke": {"LIV-06": TILSTAND},
    "direkte-betaling-ignoreres": {"LIV-08": TILSTAND, "LIV-09": RESTANCE},
    "betaling-som-nedskrivning": {"LIV-08": HOVEDSTOL, "LIV-09": HOVEDSTOL},
    "afskriver-som-nedskrivning": {"LIV-10": TILSTAND},
    "medhaefter-kun-paa-konto": CO_DEBTORS,
    "medhaefter-glemmes": CO_DEBTORS,
    "genbruger-endtoendid": {"LIV-14": _psrm("NK-ENDTOENDID-DUBLET")},
    "udbetaler-kun-en-gang": {"LIV-14": ("payouts_made", "CERT-UDBETALING-ANTAL")},
    "medhaefter-som-partner": CO_DEBTORS,
    "genbruger-indbetalingsid": {"LIV-24": _psrm("DEB-INDBETALING-GENBRUGT")},
    "s2s-medhaefter-glemmes": CO_DEBTORS,
    "s2s-hoering-ubesvaret": {"LIV-15": ("hearing_answered", "CERT-HOERING-UBESVARET")},
    "s2s-regu-med-virkningsdato": {"LIV-16": _psrm("PSRM-519"), "LIV-21": _psrm("PSRM-519")},
    "s2s-forbudt-aarsagskode": {"LIV-16": _psrm("PSRM-571"), "LIV-21": _psrm("PSRM-571")},
    "s2s-indb-uden-virkningsdato": {"LIV-17": _psrm("PSRM-409")},
    "s2s-indb-virkningsdato-frem": {"LIV-17": _psrm("PSRM-548")},
    "s2s-fejl-med-virkningsdato": {"LIV-18": _psrm("PSRM-546"), "LIV-20": _psrm("PSRM-546")},
    "s2s-genindsender-efter-fejl": {
        "LIV-19": TILSTAND,
        "LIV-20": _psrm("PSRM-602"),
        "LIV-22": _psrm("PSRM-602"),
    },
    "s2s-genindsender-nye-stamdata": {"LIV-19": _psrm("PSRM-542"), "LIV-22": _psrm("PSRM-542")},
    "s2s-reindgi-med-datoer": {"LIV-23": _psrm("PSRM-REINDGI-DATOER")},
    "s2s-genindsender-uden-reindgi": {"LIV-23": ("reindgi_resubmitted", "CERT-REINDGI-MANGLER")},
}
ROLE_OF = {"reference": "oir", "reference-s2s": "psrm-s2s"}


def _run(kommune, fagsystem, only=None, system: str | None = None):
    connection = KommuneConnection(kommune.base_url, "851", system or f"liv-{fagsystem.name[-20:]}")
    result = Runner(load_suite("livsforloeb"), fagsystem, connection).run(only=only)
    assert not undeclared(result), undeclared(result)  # every code a check names is one it declares
    return result


def _outcomes(result) -> dict[str, tuple[str, list[str]]]:
    return {s.scenario_id: (s.outcome, [f.code for f in s.failures]) for s in result.scenarios}


@pytest.mark.parametrize("name", sorted(ROLE_OF))
def test_each_reference_passes_every_scenario_of_its_role_and_no_other_is_certified(kommune, name):
    result = _run(kommune, VARIANTS[name]())
    assert result.passed, _outcomes(result)
    suite = load_suite("livsforloeb")
    for scenario, outcome in zip(suite.scenarios, result.scenarios, strict=True):
        mine = scenario.role in (None, ROLE_OF[name])
        assert outcome.outcome == ("passed" if mine else "not_supported"), scenario.id
    assert result.counts()["not_supported"] == sum(
        s.role not in (None, ROLE_OF[name]) for s in suite.scenarios
    )
    skipped = junit_tree(result).find("testsuite")
    assert skipped is not None and skipped.get("skipped") == str(result.counts()["not_supported"])


@pytest.mark.parametrize("variant", sorted(CAUGHT))
def test_each_broken_variant_fails_for_its_own_code(kommune, variant):
    wanted = CAUGHT[variant]
    result = _run(kommune, VARIANTS[variant](), only=sorted(wanted))
    for scenario in result.scenarios:
        assert scenario.outcome == "failed", (scenario.scenario_id, scenario.outcome, scenario.error)
        first = scenario.failures[0]
        assert (first.check, first.code) == wanted[scenario.scenario_id], scenario.scenario_id
        assert first.text_da and first.text_en and first.fix_en and "{" not in first.text_en


def test_the_variant_catalogue_has_one_file_per_life_of_a_case_defect():
    folder = Path(VARIANTS["klage-ignoreres"].__module__.replace(".", "/")).parent.name
    assert folder == "varianter_livsforloeb"
    modules = {VARIANTS[v].__module__ for v in CAUGHT}
    assert len(modules) == len(CAUGHT)


def test_an_event_the_fagsystem_did_not_declare_is_not_supported_and_not_certified(kommune):
    class NoComplaints(Foraeldrebetaling):
        name = "foraeldrebetaling-uden-klager"
        conformance = ConformanceStatement("oir", OIR_EVENTS - {"complaint_received"})

    result = _run(kommune, NoComplaints(), only=["LIV-01", "LIV-06"])
    outcomes = _outcomes(result)
    assert outcomes["LIV-01"] == ("passed", [])
    assert outcomes["LIV-06"] == ("not_supported", ["CERT-IKKE-UNDERSTOETTET"])
    assert "complaint_received" in (result.scenarios[1].error or "")
    assert result.passed and result.verdict == "PASSED"


def test_co_debtors_need_the_declared_feature(kommune):
    class OneDebtor(Foraeldrebetaling):
        name = "foraeldrebetaling-en-skyldner"
        conformance = ConformanceStatement("oir", OIR_EVENTS - {"co_debtors", "payout_series"})

    outcomes = _outcomes(_run(kommune, OneDebtor(), only=["LIV-11", "LIV-14"]))
    assert outcomes == {
        "LIV-11": ("not_supported", ["CERT-IKKE-UNDERSTOETTET"]),
        "LIV-14": ("not_supported", ["CERT-IKKE-UNDERSTOETTET"]),
    }


EVENTS = [
    AmountCorrected(Decimal("2800.00"), "ny_oplysning", date(2026, 10, 3)),
    ServiceEnded(date(2026, 10, 15)),
    PriceRegulated(Decimal("1765.50")),
    RaisedInError(),
    ComplaintReceived(),
    ComplaintDecided(upheld=True),
    DebtorPaid(Decimal("1000.00"), date(2026, 10, 3)),
    WrittenOff(),
    HearingToAnswer(approve=False, justification="Trukket tilbage"),
]


def test_every_business_event_survives_json_as_the_trigger_and_script_drivers_send_it():
    assert {type(e) for e in EVENTS} == set(BUSINESS_EVENTS.values())
    for event in EVENTS:
        sent = json.loads(json.dumps(event_to_json(event)))
        assert event_from_json(sent) == event


@pytest.mark.parametrize(
    ("variant", "only"), [("reference", ["LIV-06", "LIV-11"]), ("klage-ignoreres", ["LIV-06"])]
)
def test_the_http_trigger_driver_carries_the_events_and_gives_the_same_verdict(kommune, variant, only):
    direct = _outcomes(_run(kommune, VARIANTS[variant](), only=only, system=f"py-{variant}"))
    with _Served(trigger_app(VARIANTS[variant]())) as url:
        driver = HttpTriggerDriver(url)
        assert driver.conformance is not None and driver.conformance.role == "oir"
        triggered = _outcomes(_run(kommune, driver, only=only, system=f"http-{variant}"))
    assert triggered == direct


def test_the_http_trigger_driver_carries_the_direct_role(kommune):
    with _Served(trigger_app(VARIANTS["reference-s2s"]())) as url:
        result = _run(kommune, HttpTriggerDriver(url), only=["LIV-01", "LIV-19"], system="http-s2s")
    assert _outcomes(result) == {
        "LIV-01": ("not_supported", ["CERT-IKKE-UNDERSTOETTET"]),
        "LIV-19": ("passed", []),
    }


def test_the_script_driver_carries_the_events(kommune, tmp_path: Path):
    script = tmp_path / "script.jsonl"

    def admin(connection: KommuneConnection) -> AdminClient:
        return AdminClient(connection.base_url, connection.kommune, connection.system)

    declared = ConformanceStatement("oir", OIR_EVENTS)
    driver = ObservationDriver(script, admin, timeout=3, quiet=0.1, conformance=declared)
    with ScriptFollower(script, VARIANTS["klage-ignoreres"]()) as follower:
        result = _run(kommune, driver, only=["LIV-06"], system="script-klage")
    assert follower.errors == []
    assert _outcomes(result) == {"LIV-06": ("failed", ["CERT-LIVSFORLOEB-TILSTAND"])}
    kinds = [json.loads(line)["kind"] for line in script.read_text("utf-8").splitlines()]
    assert "event" in kinds


def test_the_interactive_driver_tells_a_person_what_happened_in_the_business():
    out = io.StringIO()
    driver = InteractiveDriver(lambda c: None, out=out, inp=io.StringIO("\n" * 20))  # type: ignore[arg-type,return-value]
    case = {
        "case_id": "LIV-06-1",
        "amount": "3200.00",
        "period_from": "2026-10-01",
        "period_to": "2026-10-31",
    }
    for event in EVENTS:
        driver.publish({"kind": "event", "case": case, "event": event_to_json(event), "today": "2026-10-02"})
    text = out.getvalue()
    assert (
        "complained" in text
        and "2800.00 kr" in text
        and "hearing" in text
        and "directly on 2026-10-03" in text
    )
    assert "{" not in text


def test_testkommune_suites_lists_the_life_of_a_case(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "testkommune.harness", "suites"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "livsforloeb" in result.stdout and "LIV-22" in result.stdout
    assert "s2s-genindsender-efter-fejl" in result.stdout


def test_the_certificate_names_what_was_certified_and_what_was_not_and_the_bundle_verifies(tmp_path):
    ran = run_cli("certify", "--suite", "livsforloeb", "--fagsystem", "reference-s2s", cwd=tmp_path)
    assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-2000:]
    assert "NOT SUPPORTED" in ran.stdout and "not supported" in ran.stdout
    bundle = tmp_path / "testkommune-reports" / "livsforloeb-foraeldrebetaling-s2s.bevis"
    certificate = json.loads((bundle / "certificate.json").read_text("utf-8"))
    statement = json.loads((bundle / "statement.json").read_text("utf-8"))
    assert (
        statement["declared"]["role"] == "psrm-s2s" and "hearing_to_answer" in statement["declared"]["events"]
    )
    scope = certificate["scope"]
    assert "LIV-15" in scope["scenarios"] and "LIV-01" not in scope["scenarios"]
    assert {n["scenario"] for n in scope["not_certified"]} == {f"LIV-{n:02d}" for n in range(1, 11)}
    report = verify_bundle(bundle)
    assert report.valid, report.problems
    assert report.verdict_recorded == report.verdict_recomputed == "PASSED"
    steps = sorted((bundle / "observations" / "LIV-17").glob("step-*.json"))
    judged = [json.loads(s.read_text("utf-8")) for s in steps if "claim_after_events" in s.read_text("utf-8")]
    recorded = judged[-1]  # the step that judged the claim (each scenario ends in whole-tenant checks)
    for claim in recorded["observation"]["state"]["psrm"]["claims"]:
        claim["saldo_oere"] += 120000  # as if the INDB write-down had never been booked
    failures = evaluate(recorded["expectations"], observation_from_json(recorded["observation"]))
    assert [f.code for f in failures] == ["CERT-LIVSFORLOEB-RESTANCE"]


def test_a_vendor_pytest_run_skips_what_its_fagsystem_did_not_declare(pytester):
    pytester.makepyfile(
        """
        from testkommune.harness.pytest_plugin import certification_tests

        direct = "testkommune.scenarios.fagsystemer.s2s:ForaeldrebetalingS2S"
        test_direct = certification_tests("livsforloeb", direct)
        """
    )
    result = pytester.runpytest_subprocess("-p", "testkommune", "-v", "-W", "ignore::DeprecationWarning")
    suite = load_suite("livsforloeb")
    outside = sum(s.role == "oir" for s in suite.scenarios)
    result.assert_outcomes(passed=len(suite.scenarios) - outside, skipped=outside)
    result.stdout.fnmatch_lines(["*test_direct?LIV-01? SKIPPED*", "*test_direct?LIV-19? PASSED*"])


class _S2SNeverHandsOver(VARIANTS["reference-s2s"]):
    """Defect: a direct-role fagsystem that keeps its overdue claims and never hands them to PSRM."""

    name = "s2s-overdrager-aldrig"

    def hand_over(self, claim, today):
        return None


class _S2SSrb21(VARIANTS["reference-s2s"]):
    """Lawful: the direct role with 21 days from forfald to SRB (the reference has 14)."""

    name = "s2s-srb-21"
    srb_days_after_forfald = 21


def test_a_direct_role_claim_never_handed_over_is_lost_and_another_srb_policy_passes(kommune):
    """LIV-11 (both roles): in the direct role the runner steps the clock until the claim is at PSRM."""
    broken = _run(kommune, _S2SNeverHandsOver(), only=["LIV-11"], system="liv-s2s-aldrig")
    assert "CERT-TABT" in _outcomes(broken)["LIV-11"][1]
    lawful = _run(kommune, _S2SSrb21(), only=["LIV-11"], system="liv-s2s-srb21")
    assert lawful.passed, _outcomes(lawful)
