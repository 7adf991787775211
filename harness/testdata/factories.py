"""factory-boy factories for synthetic Danish test data (Faker ``da_DK``).

Every identifier they produce is valid by :mod:`testkommune.contracts.identities`. All randomness comes from
factory-boy's generator (``factory.random.randgen``) and Faker's shared generator, so :func:`seed_all`
makes the output a function of the seed. The people and companies are synthetic: a generated CPR or CVR
may by chance equal a real one, but it is not taken from any register.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import factory
import factory.random
from dateutil.relativedelta import relativedelta
from testkommune.contracts.identities import cpr_birthdate, cpr_mod11_ok, cvr_mod11_ok, gs1_check_digit
from testkommune.contracts.model import Address, BillingCase, Party

LOCALE = "da_DK"
REFERENCE_DATE = date(2026, 1, 1)
"""Ages and billing periods are relative to this fixed date, never to today."""
ADULT_AGES = (18, 90)
AMOUNT_RANGE_OERE = (50_000, 400_000)
BILLING_MONTHS_BACK = 24
DESCRIPTION_MAX = 100
GLN_PREFIX = "57"  # GS1 Denmark

_DIGITS = "0123456789"
_MONTHS_DA = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)  # fmt: skip
_SERVICE_TEXT = {"daginstitution": "Forældrebetaling for daginstitution"}


def _rng() -> random.Random:
    """factory-boy's shared random generator (reseeded by :func:`seed_all`)."""
    return factory.random.randgen


def _faker(provider: str, **kwargs: Any) -> factory.Faker:
    return factory.Faker(provider, locale=LOCALE, **kwargs)


# --- identifiers -------------------------------------------------------------------------------------


def _cpr_century_digits(birthdate: date) -> list[int]:
    """The 7th digits whose century rule gives this birth date (empty outside 1858-2057)."""
    ddmmyy = f"{birthdate:%d%m}{birthdate.year % 100:02d}"
    return [d for d in range(10) if cpr_birthdate(f"{ddmmyy}{d}000") == birthdate]


def make_cpr(birthdate: date, *, rng: random.Random, mod11: bool = True) -> str:
    """A CPR number for this birth date; it passes modulus 11 if ``mod11``, else it deliberately fails it."""
    digits7 = _cpr_century_digits(birthdate)
    if not digits7:
        raise ValueError(f"CPR numbers cannot encode a birth year of {birthdate.year} (only 1858-2057)")
    ddmmyy = f"{birthdate:%d%m}{birthdate.year % 100:02d}"
    while True:
        body = f"{ddmmyy}{rng.choice(digits7)}{rng.randrange(100):02d}"
        last = [c for c in _DIGITS if cpr_mod11_ok(body + c) == mod11]
        if last:
            return body + rng.choice(last)


def _make_mod11_8digit(rng: random.Random) -> str:
    """8 digits, first not 0, passing the CVR modulus 11 check."""
    while True:
        body = str(rng.randint(1, 9)) + "".join(rng.choice(_DIGITS) for _ in range(6))
        last = [c for c in _DIGITS if cvr_mod11_ok(body + c)]
        if last:
            return body + last[0]


def make_cvr(rng: random.Random) -> str:
    """A valid (modulus 11) CVR number."""
    return _make_mod11_8digit(rng)


def make_se(rng: random.Random) -> str:
    """A valid SE number (same number series and check as CVR)."""
    return _make_mod11_8digit(rng)


def make_ean(rng: random.Random) -> str:
    """A valid EAN-13 / GLN with the Danish GS1 prefix and a correct check digit."""
    body = GLN_PREFIX + "".join(rng.choice(_DIGITS) for _ in range(12 - len(GLN_PREFIX)))
    return body + str(gs1_check_digit(body))


# --- dates and amounts -------------------------------------------------------------------------------


def _years_before(reference: date, years: int) -> date:
    return reference - relativedelta(years=years)  # 29 February → 28 February


def _adult_birthdate() -> date:
    """A birth date giving an age within ADULT_AGES on REFERENCE_DATE."""
    youngest, oldest = ADULT_AGES
    latest = _years_before(REFERENCE_DATE, youngest)
    earliest = _years_before(REFERENCE_DATE, oldest + 1) + timedelta(days=1)
    return earliest + timedelta(days=_rng().randint(0, (latest - earliest).days))


def _billing_month() -> date:
    """The first day of one of the BILLING_MONTHS_BACK whole months before REFERENCE_DATE."""
    back = _rng().randint(1, BILLING_MONTHS_BACK)
    return REFERENCE_DATE.replace(day=1) - relativedelta(months=back)


def _month_end(first: date) -> date:
    return first + relativedelta(day=31)


def _amount() -> Decimal:
    """A DKK amount with 2 decimals within AMOUNT_RANGE_OERE."""
    return Decimal(_rng().randint(*AMOUNT_RANGE_OERE)).scaleb(-2)


def _description(service: str, period_from: date) -> str:
    text = _SERVICE_TEXT.get(service, f"Betaling for {service}")
    return f"{text}, {_MONTHS_DA[period_from.month - 1]} {period_from.year}"[:DESCRIPTION_MAX]


# --- factories ---------------------------------------------------------------------------------------


class AddressFactory(factory.Factory[Address]):
    """A synthetic Danish postal address."""

    class Meta:
        model = Address

    street = _faker("street_address")
    postnr = _faker("postcode")
    by = _faker("city")


class CitizenFactory(factory.Factory[Party]):
    """A synthetic adult citizen: ``Party(kind="person")`` with a valid CPR.

    Pass ``birthdate=`` to fix the birth date, ``mod11=False`` for a CPR without modulus 11 control.
    """

    class Meta:
        model = Party

    class Params:
        birthdate = factory.LazyFunction(_adult_birthdate)
        mod11 = True

    kind = "person"
    id = factory.LazyAttribute(lambda o: make_cpr(o.birthdate, rng=_rng(), mod11=o.mod11))
    name = _faker("name")
    address = factory.SubFactory(AddressFactory)


class CompanyFactory(factory.Factory[Party]):
    """A synthetic company: ``Party(kind="virksomhed")`` with valid CVR, SE and EAN/GLN."""

    class Meta:
        model = Party

    kind = "virksomhed"
    id = factory.LazyFunction(lambda: make_cvr(_rng()))
    name = _faker("company")
    address = factory.SubFactory(AddressFactory)
    se = factory.LazyFunction(lambda: make_se(_rng()))
    ean = factory.LazyFunction(lambda: make_ean(_rng()))


class BillingCaseFactory(factory.Factory[BillingCase]):
    """A billing case for one whole calendar month (default service: daginstitution, debtor: a citizen)."""

    class Meta:
        model = BillingCase

    case_id = factory.Sequence(lambda n: f"CASE-{n + 1:06d}")
    service = "daginstitution"
    debtor = factory.SubFactory(CitizenFactory)
    amount = factory.LazyFunction(_amount)
    period_from = factory.LazyFunction(_billing_month)
    period_to = factory.LazyAttribute(lambda o: _month_end(o.period_from))
    description = factory.LazyAttribute(lambda o: _description(o.service, o.period_from))
    extra = factory.LazyFunction(dict)


_SEQUENCED: tuple[type[factory.Factory], ...] = (BillingCaseFactory,)


def seed_all(seed: int) -> None:
    """Seed factory-boy and Faker together and restart the sequences: same seed, same objects."""
    factory.random.reseed_random(seed)
    for factory_class in _SEQUENCED:
        factory_class.reset_sequence()
