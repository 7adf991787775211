"""Each debitor profile behaves as contracts/reference/debitorprofiler.json documents it, over real HTTP."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from testkommune.simulators.debitor.profiles import profile_for

from tests.debitor_messages import claim, debitor, mailbox
from tests.messages import fordring, opret

PROFILES = json.loads(
    (Path(__file__).resolve().parents[1] / "contracts/reference/debitorprofiler.json").read_text("utf-8")
)
SRB = date(2026, 10, 15)
CPH = ZoneInfo("Europe/Copenhagen")


def _complete(ref: str = "F1") -> dict:
    """A fordring carrying every optional field any profile insists on."""
    return fordring(ref, Delfordring=[{"DelfordringReference": "1", "Beløb": 3200.0}])


def test_the_three_profiles_stand_for_the_three_systems_on_the_market():
    products = {p["id"]: p["product"] for p in PROFILES["profiles"]}
    assert set(products) == {"DEB-A", "DEB-B", "DEB-C"}
    assert {"Opus", "Prisme", "EG"} == {
        w for w in ("Opus", "Prisme", "EG") if any(w in v for v in products.values())
    }
    assert PROFILES["default"] == "DEB-A"
    for p in PROFILES["profiles"]:
        assert p["source"]["tag"] == "I" and "oeir.md §13" in p["source"]["ref"]


def test_the_settings_contract_offers_exactly_the_profiles(api):
    schema = json.loads(
        (Path(__file__).resolve().parents[1] / "contracts/admin/Indstillinger_I.schema.json").read_text(
            "utf-8"
        )
    )
    offered = schema["properties"]["debitor"]["properties"]["debitorprofil"]["enum"]
    assert sorted(offered) == sorted(p["id"] for p in PROFILES["profiles"])
    response = api.session.patch(f"{api.admin_path}/settings", json={"debitor": {"debitorprofil": "DEB-X"}})
    assert response.status_code == 400


@pytest.mark.parametrize("profile", PROFILES["profiles"], ids=lambda p: p["id"])
def test_rykker_count_spacing_and_fees(api, profile):
    api.settings({"debitor": {"debitorprofil": profile["id"]}})
    assert api.opret(opret(_complete())).json()["Forretningskvittering"]["Status"] == "GODKENDT"
    days = profile["rykker"]["dage_efter_srb"]
    last = SRB + timedelta(days=days[-1])
    api.clock(set=f"{(last - timedelta(days=1)).isoformat()}T12:00:00+01:00")
    assert claim(api, "F1")["AntalRykkere"] == len(days) - 1  # the last one is not due yet
    api.clock(set=f"{last.isoformat()}T12:00:00+01:00")
    letters = [x for x in debitor(api)["letters"] if x["Type"] == "RYKKER"]
    assert [x["Dato"] for x in letters] == [(SRB + timedelta(days=d)).isoformat() for d in days]
    assert [x["Indhold"]["Gebyr"] for x in letters] == [profile["rykker"]["gebyr_kr"]] * len(days)
    c = claim(api, "F1")
    assert c["RykkergebyrBeløb"] == pytest.approx(profile["rykker"]["gebyr_kr"] * len(days))
    assert (c["RenteBeløb"] > 0) == (profile["renter"]["pct_pa"] > 0)
    hand_over = last + timedelta(days=profile["overdragelse_dage_efter_sidste_rykker"])
    api.clock(set=f"{hand_over.isoformat()}T12:00:00+01:00")
    api.clock(advance="1m")
    expected = "UNDER_INDDRIVELSE" if profile["automatisk_overdragelse"] else "OPKRAEVNING"
    assert claim(api, "F1")["FordringTilstand"] == expected
    assert claim(api, "F1")["AntalRykkere"] == len(days)  # never more rykker than the profile's


def _expected_delivery(profile: dict, posted: datetime) -> datetime:
    """When the profile says an update posted at `posted` reaches the fagsystem (independent of the code)."""
    earliest = posted + timedelta(seconds=profile["forsinkelse_sekunder"])
    if profile["koersel"] == "LOEBENDE":
        return earliest
    candidates = (
        datetime.combine(earliest.astimezone(CPH).date() + timedelta(days=d), time(2), CPH) for d in range(8)
    )
    return next(c for c in candidates if c >= earliest and c.isoweekday() in (2, 3, 4, 5, 6))


@pytest.mark.parametrize("profile", PROFILES["profiles"], ids=lambda p: p["id"])
def test_updates_flow_back_after_the_profiles_delay(api, profile):
    api.settings({"debitor": {"debitorprofil": profile["id"]}})
    api.opret(opret(_complete()))
    first = SRB + timedelta(days=profile["rykker"]["dage_efter_srb"][0])
    posted = datetime.combine(first, time(12), CPH)
    api.clock(set=posted.isoformat())
    due = _expected_delivery(profile, posted)
    if due > posted:
        api.clock(set=(due - timedelta(minutes=1)).isoformat())
        assert not [m for m in mailbox(api)["Besked"] if m["Type"] == "RYKKERGEBYR"]
        api.clock(set=due.isoformat())
    fees = [m for m in mailbox(api)["Besked"] if m["Type"] == "RYKKERGEBYR"]
    assert [(m["FordringReference"], m["Beløb"]) for m in fees] == [("F1", profile["rykker"]["gebyr_kr"])]
    assert datetime.fromisoformat(fees[0]["Synlig"]) == due


def test_the_weekday_night_run_makes_a_saturday_update_wait_72_hours():
    deb_c = next(p for p in PROFILES["profiles"] if p["koersel"] == "HVERDAGSNAT")
    saturday = datetime(2026, 10, 17, 2, 1, tzinfo=CPH)
    assert _expected_delivery(deb_c, saturday) == datetime(2026, 10, 20, 2, 0, tzinfo=CPH)  # Tuesday 02:00
    code = profile_for({"debitor": {"debitorprofil": deb_c["id"]}})
    assert code.visible_at(saturday) == datetime(2026, 10, 20, 2, 0, tzinfo=CPH)
    assert code.visible_at(datetime(2026, 10, 16, 12, 0, tzinfo=CPH)) == datetime(
        2026, 10, 17, 2, 0, tzinfo=CPH
    )


@pytest.mark.parametrize("profile", PROFILES["profiles"], ids=lambda p: p["id"])
def test_insisted_fields_are_refused_when_missing(api, profile):
    api.settings({"debitor": {"debitorprofil": profile["id"]}})
    bare = fordring("F1", Beskrivelse=None)
    answer = api.opret(opret(bare)).json()["Forretningskvittering"]
    refused = {e["path"] for e in answer["Fejl"] if e["code"] == "DEB-FELT-KRAEVET"}
    assert refused == {f"$.OpretDebitorkonto.Fordring[0].{f}" for f in profile["kraevede_felter"]}
    assert answer["Status"] == ("AFVIST" if profile["kraevede_felter"] else "GODKENDT")
    if refused:
        error = next(e for e in answer["Fejl"] if e["code"] == "DEB-FELT-KRAEVET")
        assert profile["id"] in error["text_da"] and error["fix_en"] and error["source"]["tag"] == "I"
