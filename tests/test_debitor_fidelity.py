"""The debitor system's opkrævning as the public guidance states it, over real HTTP."""

from __future__ import annotations

from datetime import date

from testkommune.simulators.debitor.opkraevning import gebyrlov_procent

from tests.debitor_messages import claim
from tests.messages import fordring, opret


def test_hand_over_waits_until_the_last_rykkers_deadline_has_passed(api):
    """filterregler.md §1 [C] (Daginstitution annex p. 15, Renter annex p. 14): 'Sidste rettidige
    betalingsdato i rykkerskrivelsen skal dog være overskredet, før fordringen må sendes til inddrivelse'.
    DEB-B's last rykker goes out 2026-10-26 with a 10-day deadline (2026-11-05): not handed over that day,
    but the day after."""
    api.settings({"debitor": {"debitorprofil": "DEB-B"}})
    api.opret(opret(fordring("F1")))
    api.clock(set="2026-11-05T12:00:00+01:00")
    api.clock(advance="1m")
    assert claim(api, "F1")["FordringTilstand"] == "OPKRAEVNING"
    api.clock(set="2026-11-06T12:00:00+01:00")
    api.clock(advance="1m")
    assert claim(api, "F1")["FordringTilstand"] == "UNDER_INDDRIVELSE"


def test_daycare_interest_is_one_percent_per_started_month_per_gebyrloven(api):
    """Gebyrloven § 3 as the ministry reads it (Renter annex, Bilag 13.1 p. 7-8; filterregler.md §5.3 [C]):
    1 % of the claim on its forfaldsdato and 1 % for each further started month counted from that day. The
    3200 kr KFDAINS claim, forfald 2026-10-01: 32 kr at the first rykker, 64 kr once 1 November has come."""
    api.settings({"debitor": {"debitorprofil": "DEB-B"}})
    api.opret(opret(fordring("F1")))
    api.clock(set="2026-10-16T12:00:00+02:00")
    assert claim(api, "F1")["RenteBeløb"] == 32.0
    api.clock(set="2026-11-06T12:00:00+01:00")
    assert claim(api, "F1")["RenteBeløb"] == 64.0


def test_gebyrlov_months_count_from_the_forfaldsdato():
    """The day of the month of the forfaldsdato starts each month (§ 27 stk. 1 style: 31 Jan → 28 Feb)."""
    assert gebyrlov_procent(date(2026, 1, 31), date(2026, 1, 30)) == 0
    assert gebyrlov_procent(date(2026, 1, 31), date(2026, 1, 31)) == 1
    assert gebyrlov_procent(date(2026, 1, 31), date(2026, 2, 27)) == 1
    assert gebyrlov_procent(date(2026, 1, 31), date(2026, 2, 28)) == 2
