"""Synthetic, valid test data (people, companies, billing cases) generated deterministically from a seed."""

from __future__ import annotations

from testkommune.harness.testdata.factories import (
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

__all__ = [
    "AddressFactory",
    "BillingCaseFactory",
    "CitizenFactory",
    "CompanyFactory",
    "make_cpr",
    "make_cvr",
    "make_ean",
    "make_se",
    "seed_all",
]
