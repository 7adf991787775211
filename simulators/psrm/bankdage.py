"""Danish bank days from the maintained `holidays` calendar (see contracts/reference/renter.json)."""

from __future__ import annotations

from datetime import date, timedelta

from testkommune.simulators.rules.kalender import closing_days, is_bank_day
from testkommune.simulators.rules.kalender import helligdage as _helligdage

__all__ = ["afregning_period", "closing_days", "is_bank_day", "last_bank_day", "last_hverdag"]


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def last_bank_day(year: int, month: int) -> date:
    day = _month_end(year, month)
    while not is_bank_day(day):
        day -= timedelta(days=1)
    return day


def last_hverdag(year: int, month: int) -> date:
    """The month's last hverdag: not a weekend and not a helligdag (Langfredag, Skærtorsdag …)."""
    day = _month_end(year, month)
    while day.weekday() >= 5 or day in _helligdage(day.year):
        day -= timedelta(days=1)
    return day


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def afregning_period(year: int, month: int, payout: str = "BANKDAG") -> tuple[date, date, date]:
    """A month's settlement: from the previous month's last bank day up to the day before this month's last
    bank day [S gaeldst.dk Underretninger]; the money leaves on the month's 'last hverdag' [S], read as the
    last bank day (default; a helligdag is no hverdag, and NemKonto settles on bank days only) or, with
    payout HVERDAG, the last weekday that is no helligdag (filterregler.md §5.1 [I]; tenant setting
    psrm.afregning_udbetalingsdag)."""
    start = last_bank_day(*previous_month(year, month))
    end = last_bank_day(year, month) - timedelta(days=1)
    paid = last_bank_day(year, month) if payout == "BANKDAG" else last_hverdag(year, month)
    return start, end, paid
