"""The one simulated clock: a value in the core, steered through the admin API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from testkommune.contracts.clock import ClockState, parse_duration, parse_instant

REAL = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_frozen_clock_does_not_move_with_real_time():
    clock = ClockState.frozen_at(parse_instant("2026-09-20"))
    assert clock.now(REAL) == clock.now(REAL + timedelta(hours=5))
    assert clock.today(REAL).isoformat() == "2026-09-20"


def test_running_clock_moves_with_real_time():
    clock = ClockState.running_from(parse_instant("2026-09-20T23:30:00+02:00"), REAL)
    later = REAL + timedelta(hours=1)
    assert clock.now(later) - clock.now(REAL) == timedelta(hours=1)
    assert clock.today(later).isoformat() == "2026-09-21"


def test_bare_date_means_nine_in_the_morning_danish_time():
    assert parse_instant("2026-01-15") == datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
    assert parse_instant("2026-07-15") == datetime(2026, 7, 15, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("3d", timedelta(days=3)),
        ("1w", timedelta(weeks=1)),
        ("P10D", timedelta(days=10)),
    ],
)
def test_durations(text, delta):
    assert parse_duration(text) == delta


def test_clock_never_goes_back():
    clock = ClockState.frozen_at(parse_instant("2026-09-20"))
    with pytest.raises(ValueError, match="forward"):
        clock.advance(timedelta(days=-1), REAL)


def test_admin_sets_advances_and_refuses_going_back(api):
    assert api.clock(advance="3d")["today"] == "2026-09-23"
    assert api.clock(advance_to="2026-10-01")["now"] == "2026-10-01T09:00:00+02:00"
    response = requests.post(f"{api.admin_path}/clock", json={"advance_to": "2026-01-01"}, timeout=30)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "ADMIN-UGYLDIG"
    bad = requests.post(f"{api.admin_path}/clock", json={"advance": "soon"}, timeout=30)
    assert bad.status_code == 400 and (bad.json()["errors"][0]["code"], bad.json()["errors"][0]["path"]) == (
        "SCHEMA-PATTERN",
        "$.advance",
    )
    for body in ({"set": []}, {"advance": "99999999d"}, {"advance_to": {}}, {"running": True}, {}):
        refused = requests.post(f"{api.admin_path}/clock", json=body, timeout=30)
        assert refused.status_code == 400, (body, refused.text)
    trajectory = api.state()["clock"]["trajectory"]
    assert trajectory[0]["event"] == "start"
    assert [p["sim"][:10] for p in trajectory[1:]] == ["2026-09-20", "2026-09-23", "2026-10-01"]


def test_every_rule_reads_the_simulated_date(api):
    from tests.messages import fordring, opret, overdrag

    api.opret(opret(fordring("F1", SidsteRettidigeBetalingDato="2026-10-15")))
    api.clock(set="2026-10-15")
    api.ret_tilstand(overdrag("F1"))
    claim = api.hent("K1").json()["Debitorkonto"]["Fordring"][0]
    assert claim["PSRM"]["MFAktionStatusKode"] == "AFVIST"  # SRB day itself has not passed
    api.clock(set="2026-10-16")
    api.ret_tilstand(overdrag("F1"))
    assert api.hent("K1").json()["Debitorkonto"]["Fordring"][0]["PSRM"]["MFAktionStatusKode"] == "UDFOERT"
