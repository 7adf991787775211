"""Synthetic test data (harness.testdata): always valid, and a function of the seed."""

from __future__ import annotations

import random
import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from testkommune.contracts.identities import (
    IdFinding,
    check_cpr,
    check_cvr,
    check_ean,
    check_se,
    cpr_birthdate,
)
from testkommune.contracts.model import Address, BillingCase, Party
from testkommune.harness.testdata import (
    AddressFactory,
    BillingCaseFactory,
    CitizenFactory,
    CompanyFactory,
    make_cpr,
    make_cvr,
    make_ean,
    make_se,
    seed_all,
)

REFERENCE_DATE = date(2026, 1, 1)
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)
CPR_DATES = st.dates(min_value=date(1858, 1, 1), max_value=date(2057, 12, 31))


def age_on(birthdate: date, day: date) -> int:
    return day.year - birthdate.year - ((day.month, day.day) < (birthdate.month, birthdate.day))


def assert_valid_citizen(citizen: Party) -> None:
    assert citizen.kind == "person"
    assert check_cpr(citizen.id) == []
    birthdate = cpr_birthdate(citizen.id)
    assert birthdate is not None and 18 <= age_on(birthdate, REFERENCE_DATE) <= 90
    assert citizen.name.strip()
    assert_valid_address(citizen.address)
    assert citizen.se is None and citizen.ean is None


def assert_valid_company(company: Party) -> None:
    assert company.kind == "virksomhed"
    assert check_cvr(company.id) == []
    assert company.se is not None and check_se(company.se) == []
    assert company.ean is not None and check_ean(company.ean) == []
    assert company.name.strip()
    assert_valid_address(company.address)


def assert_valid_address(address: Address | None) -> None:
    assert isinstance(address, Address)
    assert address.street.strip() and address.by.strip()
    assert re.fullmatch(r"[0-9]{4}", address.postnr)


# --- identifiers -------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None, database=None)
@given(birthdate=CPR_DATES, seed=SEEDS)
def test_make_cpr_is_valid_for_every_encodable_date(birthdate: date, seed: int) -> None:
    value = make_cpr(birthdate, rng=random.Random(seed))
    assert check_cpr(value) == []
    assert cpr_birthdate(value) == birthdate


@settings(max_examples=100, deadline=None, database=None)
@given(birthdate=CPR_DATES, seed=SEEDS)
def test_make_cpr_without_mod11_gives_only_the_warning(birthdate: date, seed: int) -> None:
    value = make_cpr(birthdate, rng=random.Random(seed), mod11=False)
    assert check_cpr(value) == [IdFinding("ID-CPR-MOD11", "warning", {"value": value})]
    assert cpr_birthdate(value) == birthdate


@pytest.mark.parametrize("birthdate", [date(1857, 12, 31), date(2058, 1, 1)])
def test_make_cpr_refuses_dates_cpr_cannot_encode(birthdate: date) -> None:
    with pytest.raises(ValueError, match="1858-2057"):
        make_cpr(birthdate, rng=random.Random(0))


@settings(max_examples=200, deadline=None, database=None)
@given(seed=SEEDS)
def test_make_company_numbers_are_valid(seed: int) -> None:
    rng = random.Random(seed)
    assert check_cvr(make_cvr(rng)) == []
    assert check_se(make_se(rng)) == []
    ean = make_ean(rng)
    assert check_ean(ean) == [] and ean.startswith("57")


def test_make_functions_are_deterministic_per_rng() -> None:
    for make in (make_cvr, make_se, make_ean):
        assert make(random.Random(5)) == make(random.Random(5))
    birthdate = date(1990, 5, 17)
    assert make_cpr(birthdate, rng=random.Random(5)) == make_cpr(birthdate, rng=random.Random(5))


# --- factories ---------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None, database=None)
@given(seed=SEEDS)
def test_generated_citizens_and_companies_always_validate(seed: int) -> None:
    seed_all(seed)
    assert_valid_citizen(CitizenFactory())
    assert_valid_company(CompanyFactory())


def test_200_citizens_and_companies_from_one_seed_validate() -> None:
    seed_all(2026)
    for citizen in CitizenFactory.build_batch(200):
        assert_valid_citizen(citizen)
    for company in CompanyFactory.build_batch(200):
        assert_valid_company(company)


def test_citizen_params() -> None:
    seed_all(1)
    fixed = CitizenFactory(birthdate=date(2001, 2, 3))
    assert cpr_birthdate(fixed.id) == date(2001, 2, 3)
    no_mod11 = CitizenFactory(mod11=False)
    assert [f.code for f in check_cpr(no_mod11.id)] == ["ID-CPR-MOD11"]


def test_billing_case_defaults() -> None:
    seed_all(3)
    for case in BillingCaseFactory.build_batch(50):
        assert isinstance(case, BillingCase)
        assert case.service == "daginstitution"
        assert re.fullmatch(r"CASE-[0-9]{6}", case.case_id)
        assert case.period_from.day == 1
        assert case.period_to.month == case.period_from.month
        assert case.period_to.toordinal() + 1 == _next_month(case.period_from).toordinal()  # whole month
        assert case.period_to < REFERENCE_DATE
        assert isinstance(case.amount, Decimal) and case.amount.as_tuple().exponent == -2
        assert Decimal("500.00") <= case.amount <= Decimal("4000.00")
        assert 0 < len(case.description) <= 100 and "daginstitution" in case.description
        assert case.extra == {}
        assert_valid_citizen(case.debtor)


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def test_billing_case_ids_follow_a_sequence_that_seed_all_restarts() -> None:
    seed_all(1)
    ids = [c.case_id for c in BillingCaseFactory.build_batch(3)]
    assert ids == ["CASE-000001", "CASE-000002", "CASE-000003"]
    seed_all(1)
    assert BillingCaseFactory().case_id == "CASE-000001"


def _sample() -> list[object]:
    return [
        AddressFactory(),
        *CitizenFactory.build_batch(5),
        *CompanyFactory.build_batch(5),
        *BillingCaseFactory.build_batch(5),
    ]


def test_same_seed_gives_identical_objects() -> None:
    seed_all(42)
    first = _sample()
    seed_all(42)
    assert _sample() == first


def test_different_seed_gives_different_objects() -> None:
    seed_all(42)
    first = _sample()
    seed_all(43)
    second = _sample()
    assert second != first
    assert all(a != b for a, b in zip(first[1:11], second[1:11], strict=True))


@settings(max_examples=25, deadline=None, database=None)
@given(seed=SEEDS)
def test_seed_all_reproduces_any_seed(seed: int) -> None:
    seed_all(seed)
    first = _sample()
    seed_all(seed)
    assert _sample() == first
