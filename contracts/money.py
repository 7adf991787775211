"""Money on the wire is a JSON number in kroner with at most two decimals; inside, it is whole øre."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def to_oere(value: float | int | str | Decimal) -> int | None:
    """Kroner as sent → øre, or None if it has more than two decimals or is not a finite number."""
    try:
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    except InvalidOperation:
        return None
    if not amount.is_finite():
        return None
    oere = amount * 100
    if oere != oere.to_integral_value():
        return None
    return int(oere)


def kroner(oere: int) -> Decimal:
    """Øre → kroner as an exact Decimal with two decimals."""
    return (Decimal(oere) / 100).quantize(Decimal("0.01"))


def wire(oere: int) -> float:
    """Øre → the JSON number a counterpart sends (exact for any realistic amount)."""
    return float(kroner(oere))
