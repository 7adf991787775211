"""The finans suite against each ERP profile's own figures (contracts/reference/erpprofiler.json, every
behaviour figure an inference [I]): FIN-04 meets a closed period on the day the profile's own period closing
(`aabne_maaneder_bagud`) closes it, asked of the ERP at run time, and a fagsystem that does not correct at the
source (oeir.md §7) fails each copy for its own reason."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import date, timedelta

import pytest
from testkommune.contracts.driver import KommuneConnection
from testkommune.contracts.schemas import load_reference
from testkommune.harness.certify.results import ScenarioResult
from testkommune.harness.certify.runner import Runner
from testkommune.harness.certify.suite import load_suite, per_erpprofil
from testkommune.harness.inprocess import InProcessKommune
from testkommune.scenarios.fagsystemer.finans_varianter import AntagerForrigeMaanedAaben, RetterIkkePeriode
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling
from testkommune.simulators.erp.profiles import parse_profiles

from tests.erp_messages import MASSE, STRAKS, finansbilag, masse, modtag, nulsum, postering
from tests.test_erp_http import erp, erp_url  # noqa: F401  (fixtures: one served test kommune)

PROFILES = load_reference("erpprofiler.json")["profiles"]
MONTHS_BACK = {p["id"]: p["aabne_maaneder_bagud"]["vaerdi"] for p in PROFILES}
BOOKED_ON = date(2026, 9, 30)  # FIN-04's clock: the day the fagsystem dates its bilag, the ERP away
FIN_04 = ["FIN-04", *(f"FIN-04-{p}" for p in MONTHS_BACK)]


def _first_closed_day(months_back: int) -> date:
    """The first day on which the month of BOOKED_ON is no longer among the open ones."""
    month = BOOKED_ON.month + months_back + 1
    return date(BOOKED_ON.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _months_back(scenario_id: str) -> int:
    profile = scenario_id.removeprefix("FIN-04").removeprefix("-")
    return MONTHS_BACK[profile] if profile else 1  # no profile: the ERP's default, one month back


@pytest.fixture(scope="module")
def kommune():
    with InProcessKommune() as running:
        yield running


def _run(
    kommune: InProcessKommune, fagsystem: Foraeldrebetaling, ids: list[str] = FIN_04
) -> tuple[dict[str, ScenarioResult], Runner]:
    """Run the named scenarios of the finans suite; the runner keeps the last scenario's tenant."""
    suite = load_suite("finans")
    suite = dataclasses.replace(suite, scenarios=tuple(s for s in suite.scenarios if s.id in ids))
    runner = Runner(suite, fagsystem, KommuneConnection(kommune.base_url, "851", fagsystem.name))
    return {r.scenario_id: r for r in runner.run().scenarios}, runner


def _deliveries(runner: Runner) -> list[tuple[str, str, list[str]]]:
    """The fagsystem's straks deliveries the ERP answered: (Bogføringsdato, Status, codes), in order."""
    out = []
    for entry in runner.admin.journal():
        if entry["operation"] != "ModtagFinansbilag" or entry["status"] != 200:
            continue
        sent = json.loads(entry["request"])["Finansbilag"]
        answer = json.loads(entry["response"])["Forretningskvittering"]
        out.append((sent["Bogføringsdato"], answer["Status"], [e["code"] for e in answer.get("Fejl", [])]))
    return out


@pytest.mark.parametrize("profile", PROFILES, ids=[p["id"] for p in PROFILES])
def test_the_erp_says_which_months_are_open_on_a_later_day_by_its_profile(erp, profile):  # noqa: F811
    erp.settings({"erp": {"erpprofil": profile["id"]}})
    back = profile["aabne_maaneder_bagud"]["vaerdi"]
    closing = _first_closed_day(back)
    before = erp.erp_ok("GET", "perioder", dato=(closing - timedelta(days=1)).isoformat())
    after = erp.erp_ok("GET", "perioder", dato=closing.isoformat())
    assert "2026-09" in before["ÅbnePerioder"] and "2026-09" not in after["ÅbnePerioder"]
    assert (after["Dato"], after["MånederBagud"], len(after["ÅbnePerioder"])) == (
        closing.isoformat(),
        back,
        back + 1,
    )
    assert erp.erp_ok("GET", "perioder")["Dato"] == "2026-09-20"  # the tenant's own clock did not move


def test_a_day_that_is_not_a_date_is_refused_as_an_admin_error(erp):  # noqa: F811
    refused = erp.erp("GET", "perioder", dato="2026-13-01")
    assert refused.status_code == 400
    assert [e["code"] for e in refused.json()["errors"]] == ["ADMIN-UGYLDIG"]


def test_each_fin04_copy_meets_the_closed_period_on_its_profiles_own_day(kommune):
    """oeir.md §7, §15: the bilag dated 2026-09-30 waits out the ERP's absence; it is rejected
    ERP-PERIODE-LUKKET on the first day the profile has closed September (ERP-KVANTUM 1 October, ERP-KMD and
    ERP-EG 1 November, ERP-FUJITSU 1 December), then re-dated at the source and booked."""
    for scenario_id in FIN_04:
        results, runner = _run(kommune, Foraeldrebetaling(), [scenario_id])
        result = results[scenario_id]
        assert result.outcome == "passed", (scenario_id, result.failures)
        closing = _first_closed_day(_months_back(scenario_id))
        daily = next(s for s in result.steps if s.kind == "daily")
        expect = result.steps[daily.index]  # the step after the daily run starts where it ended
        assert expect.sim_time[:10] == closing.isoformat(), scenario_id
        assert _deliveries(runner) == [
            ("2026-09-30", "AFVIST", ["ERP-PERIODE-LUKKET"]),
            (closing.isoformat(), "GODKENDT", []),
        ], scenario_id


def test_a_fagsystem_that_never_corrects_fails_every_copy_for_its_own_reason(kommune):
    results, _ = _run(kommune, RetterIkkePeriode())
    assert set(results) == set(FIN_04)
    for scenario_id, result in results.items():
        assert result.outcome == "failed", scenario_id
        first = result.failures[0]
        assert (first.check, first.code, first.actual) == (
            "finans_corrected_at_source",
            "CERT-RETTELSE-MANGLER",
            "AFVIST",
        ), scenario_id
        assert ("finans_accepted", "ERP-PERIODE-LUKKET") in {(f.check, f.code) for f in result.failures}


def test_assuming_every_erp_keeps_last_month_open_fails_only_the_strict_profile(kommune):
    """ERP-KVANTUM keeps only the current month open [I]: there September is closed on 1 October, a month
    after the bilag; every other profile closes it later, when this fagsystem does correct."""
    results, _ = _run(kommune, AntagerForrigeMaanedAaben())
    failed = {sid for sid, r in results.items() if r.outcome != "passed"}
    assert failed == {sid for sid in FIN_04 if _months_back(sid) == 0} == {"FIN-04-ERP-KVANTUM"}
    first = results["FIN-04-ERP-KVANTUM"].failures[0]
    assert (first.check, first.code) == ("finans_corrected_at_source", "CERT-RETTELSE-MANGLER")


# --- the figures that decide a verdict, per profile, over HTTP ---------------------------------------------


@pytest.mark.parametrize("profile", PROFILES, ids=[p["id"] for p in PROFILES])
def test_each_profile_takes_the_delivery_forms_its_data_says(erp, profile):  # noqa: F811
    """straks and masse per profile [I]; a form the profile does not take is refused ERP-LEVERANCEFORM."""
    erp.settings({"erp": {"erpprofil": profile["id"]}})
    straks = erp.straks(modtag(finansbilag(nulsum())))
    taken = erp.post(MASSE, masse(finansbilag(nulsum())))
    for response, form in ((straks, "straks"), (taken, "masse")):
        if profile[form]["vaerdi"]:
            assert response.status_code == 200, response.text
        else:
            assert [e["code"] for e in response.json()["errors"]] == ["ERP-LEVERANCEFORM"]


@pytest.mark.parametrize("form", ["straks", "masse"])
def test_a_form_the_erp_does_not_take_is_refused_before_oir_claims_the_id(erp, form):  # noqa: F811
    """A tenant setting overrides its profile's figure (the inference as default); the refusal names the
    profile and the form it takes, stores nothing, and leaves the TransaktionsID free for the other form."""
    other = "masse" if form == "straks" else "straks"
    erp.settings({"erp": {"erpprofil": "ERP-KMD", form: False}})
    bilag = finansbilag(nulsum())
    message = modtag(bilag) if form == "straks" else masse(bilag)
    refused = erp.post(STRAKS if form == "straks" else MASSE, message)
    assert refused.status_code == 400
    [error] = refused.json()["errors"]
    assert (error["code"], error["value"]) == ("ERP-LEVERANCEFORM", form)
    for text in (error["text_da"], error["text_en"], error["fix_en"]):
        assert other in text and "{" not in text
    assert "ERP-KMD" in error["text_en"] and "ERP-KMD" in error["text_da"]
    assert error["source"]["tag"] == "I"
    tid = message["Hovedoplysninger"]["TransaktionsID"]
    assert erp.hent(tid).status_code == 404
    again = {"Hovedoplysninger": message["Hovedoplysninger"], "Finansbilag": bilag}
    if other == "masse":
        again["Finansbilag"] = [bilag]
    assert erp.post(STRAKS if other == "straks" else MASSE, again).status_code == 200


@pytest.mark.parametrize("profile", PROFILES, ids=[p["id"] for p in PROFILES])
def test_each_profile_rejects_an_unknown_sortiment_value_and_rounds_nothing(erp, profile):  # noqa: F811
    """ukendt_sortiment AFVIS and afrunding OERE [I], the only values the ERP models: an unknown value rejects
    the whole bilag, and one øre of difference is an imbalance, not rounded away."""
    assert (profile["ukendt_sortiment"]["vaerdi"], profile["afrunding"]["vaerdi"]) == ("AFVIS", "OERE")
    erp.settings({"erp": {"erpprofil": profile["id"]}})
    unknown = [postering(100.0, "DEBET", "FRIPLADS", "INTEGRERET", "SOLSIKKEN"), *nulsum()[1:]]
    unknown[0]["Sortiment"]["Ydelsestype"] = "FINDES-IKKE"
    answer = erp.kvittering(modtag(finansbilag(unknown)))
    assert (answer["Status"], {e["code"] for e in answer["Fejl"]}) == (
        "AFVIST",
        {"ERP-SORTIMENTSVAERDI-UKENDT"},
    )
    one_oere = nulsum()
    one_oere[1]["Beløb"] = 99.99
    answer = erp.kvittering(modtag(finansbilag(one_oere)))
    assert answer["Status"] == "AFVIST"
    assert [(e["code"], e["value"]) for e in answer["Fejl"]] == [("ERP-BILAG-UBALANCE", "0.01")]


def test_a_profile_asking_for_behaviour_the_erp_lacks_is_refused_when_read():
    data = load_reference("erpprofiler.json")
    assert set(parse_profiles(data)) == set(MONTHS_BACK)
    for name, value in (("ukendt_sortiment", "FEJLKONTO"), ("afrunding", "KRONE")):
        changed = copy.deepcopy(data)
        changed["profiles"][0][name]["vaerdi"] = value
        with pytest.raises(ValueError, match=f"{name} '{value}' is not modelled"):
            parse_profiles(changed)


def test_a_profile_without_masse_gets_no_copy_of_a_masse_scenario():
    """FIN-02 delivers masse: an ERP that takes no masse refuses it (above), so it is not certified there;
    its straks scenarios still run."""
    profiles = copy.deepcopy(PROFILES)
    profiles[0]["masse"]["vaerdi"] = False
    scenarios = {s.id: s for s in load_suite("finans").scenarios}
    masse_copies = {s.id for s in per_erpprofil(scenarios["FIN-02"], profiles)}
    straks_copies = {s.id for s in per_erpprofil(scenarios["FIN-01"], profiles)}
    assert masse_copies == {f"FIN-02-{p['id']}" for p in profiles[1:]}
    assert straks_copies == {f"FIN-01-{p['id']}" for p in profiles}
