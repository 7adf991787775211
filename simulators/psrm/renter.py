"""Inddrivelsesrente: simple daily interest on the principal from the 1st of the month after receipt."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from testkommune.contracts.schemas import load_reference


@dataclass(frozen=True, slots=True)
class Rate:
    fra: date
    pct: Decimal


@cache
def rate_table() -> tuple[tuple[Rate, ...], int]:
    data = load_reference("renter.json")["inddrivelsesrente"]
    rates = tuple(
        sorted(
            (Rate(date.fromisoformat(r["fra"]), Decimal(r["pct"])) for r in data["satser"]),
            key=lambda r: r.fra,
        )
    )
    return rates, int(data["dagdeler"])


def rate_on(day: date) -> Decimal:
    rates, _ = rate_table()
    current = rates[0].pct
    for rate in rates:
        if rate.fra <= day:
            current = rate.pct
    return current


def interest_start(received: date) -> date:
    """The 1st of the month after receipt (psrm.md §7)."""
    return date(received.year + received.month // 12, received.month % 12 + 1, 1)


def accrued(
    changes: Iterable[tuple[date, int]], start: date, until: date, fixed_pct: Decimal | None = None
) -> int:
    """Interest in øre accrued on days start ≤ d < until, on the balance that results from `changes`
    (each a date from which a signed øre amount applies), at the rate of each day (or a fixed rate)."""
    if until <= start:
        return 0
    ordered = sorted(changes)
    rates, divisor = rate_table()
    boundaries = (
        {start, until}
        | {d for d, _ in ordered if start < d < until}
        | {r.fra for r in rates if start < r.fra < until}
    )
    points = sorted(boundaries)
    total = Decimal(0)
    for begin, end in itertools.pairwise(points):
        balance = sum(amount for day, amount in ordered if day <= begin)
        if balance > 0:
            pct = fixed_pct if fixed_pct is not None else rate_on(begin)
            total += Decimal(balance) * pct / 100 * (end - begin).days / divisor
    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


@cache
def _rate_codes() -> dict[str, dict[str, object]]:
    return {c["kode"]: c for c in load_reference("renter.json")["rentevalg"]["satskoder"]}


def rate_code(kode: str) -> dict[str, object] | None:
    """A RenteSatsKode's meaning (contracts/reference/renter.json → rentevalg)."""
    return _rate_codes().get(kode)
