"""The driver protocol: how the harness makes a vendor's fagsystem act.

A fagsystem under test implements three methods. The harness never tells it *how* to build a
message, only *what* happened in its business (a service to bill, a new day); the suite then judges
what arrived at the test kommune.

Optional actions (`OPTIONAL_ACTIONS`) are methods a fagsystem may have; a suite step that needs one the
fagsystem lacks ends its scenario NOT SUPPORTED (CERT-IKKE-UNDERSTOETTET), so existing vendor systems
keep working with every suite they can take part in.

The life of a case after it was billed is told as business events (`BUSINESS_EVENTS`, module
`testkommune.contracts.events`): each is an optional method `name(case, event, today)`. A fagsystem says which
events it handles and its integration role in its `ConformanceStatement` (attribute `conformance`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

from testkommune.contracts.errors import FagsystemError
from testkommune.contracts.events import BUSINESS_EVENTS
from testkommune.contracts.model import BillingCase


@dataclass(frozen=True, slots=True)
class KommuneConnection:
    """Where the test kommune answers and who the fagsystem is there."""

    base_url: str
    kommune: str
    system: str
    token: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        """The headers that identify (and, given a token, authenticate) the caller on every ØiR call."""
        headers = {"X-TK-Kommune": self.kommune, "X-TK-Anvendersystem": self.system}
        return headers | ({"Authorization": f"Bearer {self.token}"} if self.token else {})


@runtime_checkable
class Fagsystem(Protocol):
    """What a fagsystem under test must do for the Python driver."""

    name: str
    version: str

    def connect(self, kommune: KommuneConnection) -> None:
        """Remember where ØiR is; called once before the first scenario and after every reset."""

    def bill(self, case: BillingCase, today: date) -> None:
        """Bill `case` today: register the debtor and the fordring through ØiR (SF1590_B_01)."""

    def run_daily(self, today: date) -> None:
        """Run the fagsystem's daily job for `today` (e.g. ask for hand-over of overdue claims)."""


@runtime_checkable
class FinansFagsystem(Protocol):
    """Optional: a fagsystem that also books its billing in the kommune's ERP (SF1590_A)."""

    def post_finans(self, cases: Sequence[BillingCase], today: date, masse: bool) -> None:
        """Book the billing of `cases` today through ØiR finans: one finansbilag per case, delivered one by
        one (straksleverance) or together in one masseleverance; answers may be fetched in `run_daily`."""


@runtime_checkable
class CorrectingFagsystem(Protocol):
    """Optional: a fagsystem that corrects a fordring after it was approved and registered."""

    def correct(self, case: BillingCase, today: date) -> None:
        """The case billed before (same case_id) now has a new amount (`case.amount`): new facts came after
        approval. Correct the registered fordring in the debitor system through ØiR."""


@runtime_checkable
class PayingFagsystem(Protocol):
    """Optional: a fagsystem that pays out through NemKonto (SF1590_E)."""

    def pay_out(self, cases: Sequence[BillingCase], today: date) -> None:
        """Pay each case's amount to the case's party (e.g. a refund or a benefit) through NemKonto; the
        answers may be fetched in `run_daily`."""


OPTIONAL_ACTIONS = {
    "finans": "post_finans",
    "finans_masse": "post_finans",
    "correct": "correct",
    "pay_out": "pay_out",
}
"""Suite step → the optional fagsystem method it needs."""

ROLES = {
    "oir": "through ØiR: fordringer to the kommune's debitor system (SF1590_B), which hands them to PSRM",
    "psrm-s2s": "directly to PSRM, system to system (MFFordringIndberet, MFKvitteringHent, HoeringSvar)",
}
"""The integration roles a fagsystem can be certified in."""

FEATURES = {
    "co_debtors": "bills a case with further jointly liable debtors (BillingCase.co_debtors)",
    "payout_series": "pays the same party several times (each payout a new EndToEndId)",
}
"""Capabilities that are not a method of their own, declared by name in the conformance statement."""


@dataclass(frozen=True, slots=True)
class ConformanceStatement:
    """What a fagsystem declares it does: its integration role and the business events and features it
    handles. A suite step needing anything else ends NOT SUPPORTED, and the certificate says so."""

    role: str = "oir"
    events: frozenset[str] = frozenset()

    def covers(self, capability: str) -> bool:
        return capability in self.events


def conformance_of(fagsystem: object) -> ConformanceStatement:
    """The fagsystem's declared statement; without one: the ØiR role and every optional method it has."""
    declared = getattr(fagsystem, "conformance", None)
    if isinstance(declared, ConformanceStatement):
        return declared
    names = {*OPTIONAL_ACTIONS, *BUSINESS_EVENTS}
    methods = {name: OPTIONAL_ACTIONS.get(name, name) for name in names}
    found = {name for name, method in methods.items() if callable(getattr(fagsystem, method, None))}
    return ConformanceStatement("oir", frozenset(found))


class ActionNotSupportedError(FagsystemError):
    """The fagsystem does not offer an optional action a suite step needs."""

    def __init__(self, step: str, method: str, fagsystem: str) -> None:
        super().__init__(f"fagsystem {fagsystem!r} does not support {method} (needed by step {step!r})")
        self.step = step
        self.method = method
