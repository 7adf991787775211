"""Danish bank days from the maintained `holidays` calendar (see contracts/reference/renter.json)."""

from __future__ import annotations

from datetime import date, timedelta

from testkommune.simulators.rules.kalender import closing_days, is_bank_day

__all__ = ["afregning_period", "closing_days", "is_bank_day", "last_bank_day", "last_weekday"]


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def last_bank_day(year: int, month: int) -> date:
    day = _month_end(year, month)
    while not is_bank_day(day):
        day -= timedelta(days=1)
    return day


def last_weekday(year: int, month: int) -> date:
    day = _month_end(year, month)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def afregning_period(year: int, month: int) -> tuple[date, date, date]:
    """A month's settlement: from the previous month's last bank day up to the day before this month's last
    bank day; the money leaves on the month's last weekday (psrm.md §8)."""
    start = last_bank_day(*previous_month(year, month))
    end = last_bank_day(year, month) - timedelta(days=1)
    return start, end, last_weekday(year, month)
