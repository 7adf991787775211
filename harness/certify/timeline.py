"""Days that follow from a claim's own dates and the tenant's debitor profile, never from a calendar.

A suite moves the clock with `advance_until: <milestone>[±Nd]`; the milestone is computed from the claims the
fagsystem sent for the billed cases (their ForfaldDato and SidsteRettidigeBetalingDato as the debitor system
booked them) and the debitor profile (contracts/reference/debitorprofiler.json):

- `forfald`: the claim's ForfaldDato;
- `srb`: its SidsteRettidigeBetalingDato;
- `rykker_done`: the day the profile's last rykker is sent (SRB + its last `dage_efter_srb`), the first day a
  hand-over is lawful (the day after SRB at the earliest);
- `handover_due`: the last day of the hand-over window, `overdragelse_dage_efter_sidste_rykker` days after
  the last rykker (the day a profile that hands over on its own does so) [I].

With several claims the latest day is taken, so the step holds for every claim.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from testkommune.contracts.errors import UsageError

MILESTONE = re.compile(r"^(forfald|srb|rykker_done|handover_due)(?:([+-][0-9]+)d)?$")


class TimelineError(UsageError, ValueError):
    """A milestone the suite names is not one this module knows."""


def handover_window(data: dict[str, Any], profile: dict[str, Any]) -> tuple[date, date] | None:
    """The first and the last day the profile allows a hand-over of this claim (None: no SRB sent)."""
    srb = _day(data.get("SidsteRettidigeBetalingDato"))
    if srb is None:
        return None
    rykker = profile.get("rykker") or {}
    days = [int(d) for d in rykker.get("dage_efter_srb") or []]
    first = max(srb + timedelta(days=1), srb + timedelta(days=days[-1] if days else 1))
    return first, first + timedelta(days=int(profile.get("overdragelse_dage_efter_sidste_rykker", 0)))


def milestone(data: dict[str, Any], profile: dict[str, Any], name: str) -> date | None:
    """One named day of one claim (its booked Data), or None when the fagsystem sent no such date."""
    if name == "forfald":
        return _day(data.get("ForfaldDato"))
    if name == "srb":
        return _day(data.get("SidsteRettidigeBetalingDato"))
    window = handover_window(data, profile)
    if window is None:
        return None
    return window[0] if name == "rykker_done" else window[1]


def target_day(spec: str, claims: Iterable[dict[str, Any]], profile: dict[str, Any]) -> date | None:
    """The day `spec` (e.g. `srb+1d`, `handover_due`) names for these claims: the latest over all of them;
    None when no claim carries the date."""
    matched = MILESTONE.match(spec)
    if matched is None:
        names = "forfald, srb, rykker_done, handover_due [±Nd]"
        raise TimelineError(f"unknown milestone {spec!r}; known: {names}")
    days = [milestone(c.get("Data") or {}, profile, matched.group(1)) for c in claims]
    known = [d for d in days if d is not None]
    if not known:
        return None
    return max(known) + timedelta(days=int(matched.group(2) or 0))


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
