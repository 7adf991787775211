"""The driver protocol: how the harness makes a vendor's fagsystem act.

A fagsystem under test implements three methods. The harness never tells it *how* to build a
message, only *what* happened in its business (a service to bill, a new day); the suite then judges
what arrived at the test kommune.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

from harness.core.model import BillingCase


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
