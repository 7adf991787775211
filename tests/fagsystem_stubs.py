"""Fagsystemer for tests that need less than the reference offers."""

from __future__ import annotations

from testkommune.scenarios.fagsystemer import VARIANTS


class OnlyDebitor:
    """A vendor's system that offers only the three required methods (no ØiR finans action)."""

    name, version = "only-debitor", "1"

    def __init__(self) -> None:
        self.inner = VARIANTS["reference"]()

    def connect(self, k):
        self.inner.connect(k)

    def bill(self, case, today):
        self.inner.bill(case, today)

    def run_daily(self, today):
        self.inner.run_daily(today)
