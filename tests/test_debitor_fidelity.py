"""The debitor system's opkrævning as the public guidance states it, over real HTTP."""

from __future__ import annotations

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
