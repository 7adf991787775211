"""Danish calendar rules: bank days (Danmarks Nationalbank's banklukkedage) and forældelsesloven § 27.

Pure functions of a date; the bank-day calendar comes from the maintained `holidays` library plus the
closing days Nationalbanken adds (contracts/reference/renter.json → bankdage).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays
from dateutil.easter import easter


@cache
def closing_days(year: int) -> frozenset[date]:
    """Days Danish banks are closed besides weekends (Danmarks Nationalbank's banklukkedage): helligdage
    (Langfredag included), 5 June, 24 and 31 December and the Friday after Kristi himmelfartsdag."""
    calendar = holidays.country_holidays("DK", years=year, categories=("public", "optional"))
    closed = {day for day in calendar if (day.month, day.day) != (5, 1)}
    closed.add(easter(year) + timedelta(days=40))  # the Friday after Ascension Day
    return frozenset(closed)


def is_bank_day(day: date) -> bool:
    return day.weekday() < 5 and day not in closing_days(day.year)


@cache
def helligdage(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DK", years=year, categories=("public",)))


def is_frist_hverdag(day: date) -> bool:
    """A day a deadline may end on under forældelsesloven § 27, stk. 2: not a weekend, a helligdag,
    Grundlovsdag (5 June), 24 or 31 December."""
    return (
        day.weekday() < 5
        and day not in helligdage(day.year)
        and (day.month, day.day) not in ((6, 5), (12, 24), (12, 31))
    )


def frist_udloeb(day: date) -> date:
    """Forældelsesloven § 27, stk. 2: a deadline ending on a non-hverdag moves to the first hverdag after."""
    while not is_frist_hverdag(day):
        day += timedelta(days=1)
    return day
