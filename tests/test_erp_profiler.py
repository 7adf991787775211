"""The four ERP profiles (contracts/reference/erpprofiler.json; oeir.md §13 [C] names the ERPs, every
behaviour figure is an inference tagged in the data) over real HTTP: the nulsumtest passes against each,
and each profile's latency and period closing are what the ERP does."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from testkommune import contracts

from tests.erp_messages import MASSE, finansbilag, masse, modtag, nulsum
from tests.test_erp_http import erp, erp_url  # noqa: F401  (fixtures: one served test kommune)

PROFILES = json.loads((contracts.ROOT / "reference" / "erpprofiler.json").read_text("utf-8"))["profiles"]
IDS = [p["id"] for p in PROFILES]


def test_four_profiles_each_figure_tagged():
    """oeir.md §13: EG, Fujitsu (Prisme), KMD (Opus) and Københavns Kommune (Kvantum)."""
    assert set(IDS) == {"ERP-EG", "ERP-FUJITSU", "ERP-KMD", "ERP-KVANTUM"}
    for profile in PROFILES:
        assert profile["product_kilde"]["tag"] == "C"
        for name in ("straks", "masse", "masse_behandlingstid_sekunder", "aabne_maaneder_bagud", "afrunding"):
            assert profile[name]["tag"] in {"C", "I"} and profile[name]["ref"]


@pytest.mark.parametrize("profile", IDS)
def test_the_nulsumtest_passes_against_every_erp_profile(erp, profile):  # noqa: F811
    """The programme's test goal (seed 002): a nulsumtest through ØiR to each ERP."""
    erp.settings({"erp": {"erpprofil": profile}})
    message = modtag(finansbilag(nulsum(), bilag_id=f"NULSUM-{profile}"))
    assert erp.kvittering(message)["Status"] == "GODKENDT"
    report = erp.erp_ok("GET", f"nulsumtest/{message['Hovedoplysninger']['TransaktionsID']}")
    assert report["Bestået"] is True


@pytest.mark.parametrize("profile", PROFILES, ids=IDS)
def test_masse_is_answered_after_the_profiles_latency(erp, profile):  # noqa: F811
    erp.settings({"erp": {"erpprofil": profile["id"]}})
    response = erp.post(MASSE, masse(finansbilag(nulsum())))
    assert response.status_code == 200, response.text
    due = datetime.fromisoformat(response.json()["Forretningskvittering"]["BehandlesTidspunkt"])
    now = datetime.fromisoformat("2026-09-20T09:00:00+02:00")  # the fixture's frozen clock
    assert due - now == timedelta(seconds=profile["masse_behandlingstid_sekunder"]["vaerdi"])


def test_period_closing_follows_the_profile(erp):  # noqa: F811
    """ERP-KVANTUM leaves only the current month open, ERP-FUJITSU two months back (both [I])."""
    august = finansbilag(nulsum(), bogfoeringsdato="2026-08-31")
    erp.settings({"erp": {"erpprofil": "ERP-KVANTUM"}})
    refused = erp.kvittering(modtag(august))
    assert refused["Status"] == "AFVIST"
    assert "ERP-PERIODE-LUKKET" in {e["code"] for e in refused["Fejl"]}
    erp.settings({"erp": {"erpprofil": "ERP-FUJITSU"}})
    july = finansbilag(nulsum(), bogfoeringsdato="2026-07-31")
    assert erp.kvittering(modtag(july))["Status"] == "GODKENDT"


def test_the_finans_suite_runs_its_erp_dependent_scenarios_once_per_profile():
    """seed 002: the nulsumtest (also masse, sortiment) against each ERP; each copy picks its profile."""
    from testkommune.harness.certify.suite import load_suite

    scenarios = {s.id: s for s in load_suite("finans").scenarios}
    for base in ("FIN-01", "FIN-02", "FIN-04", "FIN-05"):
        for profile in IDS:
            copy = scenarios[f"{base}-{profile}"]
            assert copy.steps[0] == ("settings", {"erp": {"erpprofil": profile}})
            assert copy.steps[1:] == scenarios[base].steps and profile in copy.title_en
