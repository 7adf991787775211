"""Domain objects the harness hands to a fagsystem: who owes, and what is to be billed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

PartyKind = Literal["person", "virksomhed"]
CoDebtorRelation = Literal["foraelder", "aegtefaelle", "ejer", "interessent"]
"""Why a second debtor is liable: the other parent of a child in day care, a spouse, the owner of a sole
proprietorship (PEF) or a partner of an I/S (psrm.md §4.3)."""


@dataclass(frozen=True, slots=True)
class Address:
    """A Danish postal address (synthetic in all test data)."""

    street: str
    postnr: str
    by: str


@dataclass(frozen=True, slots=True)
class Party:
    """A debtor: a citizen (CPR) or a company (CVR, optionally an SE unit and an EAN/GLN)."""

    kind: PartyKind
    id: str
    name: str
    address: Address | None = None
    se: str | None = None
    ean: str | None = None


@dataclass(frozen=True, slots=True)
class CoDebtor:
    """A further debtor liable jointly and severally with the case's debtor (solidarisk hæftelse)."""

    party: Party
    relation: CoDebtorRelation


@dataclass(frozen=True, slots=True)
class BillingCase:
    """One thing the harness asks a fagsystem to bill: a service for a period, owed by a debtor.

    The fagsystem decides how to turn it into a fordring (fordringstype, dates, references);
    the suite judges what arrives at the test kommune. `co_debtors` are further liable debtors: every one
    of them must be liable on the fordring the fagsystem registers.
    """

    case_id: str
    service: str
    debtor: Party
    amount: Decimal
    period_from: date
    period_to: date
    description: str
    extra: dict[str, str] = field(default_factory=dict)
    co_debtors: tuple[CoDebtor, ...] = ()

    @property
    def debtors(self) -> tuple[Party, ...]:
        """Every liable debtor: the case's debtor first, then the co-debtors."""
        return (self.debtor, *(c.party for c in self.co_debtors))
