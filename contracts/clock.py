"""The simulated clock: the one source of "now" for every time-dependent rule.

A clock is a value: frozen at an instant, or running from an instant since a real moment.
Danish dates (SRB passed? which month?) are read in Europe/Copenhagen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

DANISH_TZ = ZoneInfo("Europe/Copenhagen")


def real_now() -> datetime:
    """The machine's time, aware, in UTC."""
    return datetime.now(UTC)


def parse_instant(text: str) -> datetime:
    """Parse an ISO date or date-time; a bare date means 09:00 Danish time, a naive time is Danish time."""
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), DANISH_TZ).replace(hour=9)
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=DANISH_TZ)
    return value.astimezone(UTC)


_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


SUPPORTED_FROM = datetime(1900, 1, 1, tzinfo=UTC)
SUPPORTED_TO = datetime(2200, 1, 1, tzinfo=UTC)
"""A simulated clock stays from SUPPORTED_FROM up to (not including) SUPPORTED_TO: every date rule, interest
day count and bank-day calendar is defined there, and none may overflow `date` arithmetic (years 1..9999)."""


def check_supported(instant: datetime) -> datetime:
    """`instant`, or ValueError when a simulated clock may not show it."""
    if not SUPPORTED_FROM <= instant < SUPPORTED_TO:
        raise ValueError(
            f"the simulated clock must stay from {SUPPORTED_FROM.date()} up to {SUPPORTED_TO.date()}"
        )
    return instant


def parse_duration(text: str) -> timedelta:
    """Parse '90s', '15m', '2h', '3d', '1w' or an ISO-ish 'P3D' into a timedelta."""
    text = text.strip()
    if text.upper().startswith("P") and text[-1].upper() == "D":
        return timedelta(days=int(text[1:-1]))
    unit = _UNITS.get(text[-1:].lower())
    if unit is None or not text[:-1].lstrip("-").isdigit():
        raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 15m, 2h, 3d, 1w)")
    return timedelta(**{unit: int(text[:-1])})


@dataclass(frozen=True, slots=True)
class ClockState:
    """Simulated time: `anchor` when frozen, else `anchor` plus the real time passed since `real_anchor`."""

    anchor: datetime
    real_anchor: datetime | None = None

    @classmethod
    def running_from(cls, instant: datetime, real: datetime) -> ClockState:
        return cls(anchor=instant.astimezone(UTC), real_anchor=real)

    @classmethod
    def frozen_at(cls, instant: datetime) -> ClockState:
        return cls(anchor=instant.astimezone(UTC), real_anchor=None)

    @property
    def running(self) -> bool:
        return self.real_anchor is not None

    def now(self, real: datetime) -> datetime:
        if self.real_anchor is None:
            return self.anchor
        return self.anchor + (real - self.real_anchor)

    def today(self, real: datetime) -> date:
        return self.now(real).astimezone(DANISH_TZ).date()

    def set(self, instant: datetime, *, running: bool, real: datetime) -> ClockState:
        return ClockState.running_from(instant, real) if running else ClockState.frozen_at(instant)

    def advance(self, delta: timedelta, real: datetime) -> ClockState:
        if delta < timedelta(0):
            raise ValueError("the simulated clock only moves forward")
        return ClockState(anchor=self.anchor + delta, real_anchor=self.real_anchor)


def danish_date(instant: datetime) -> date:
    """The calendar date of an instant in Denmark."""
    return instant.astimezone(DANISH_TZ).date()


@lru_cache(maxsize=256)  # a call renders the same few instants (its now, due times) several times
def iso(instant: datetime) -> str:
    """An instant as ISO 8601 in Danish local time with offset, to the second."""
    return instant.astimezone(DANISH_TZ).isoformat(timespec="seconds")
