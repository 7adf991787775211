"""Lawful fagsystems for the self-test, written differently from the reference: every suite must pass them
(another SRB policy, another numbering, another timing, another way to read the mailbox or keep accounts).

`LAWFUL` maps CLI names to classes; `scenarios.fagsystemer.VARIANTS` lists them with the rest.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from testkommune.contracts.driver import KommuneConnection
from testkommune.contracts.model import BillingCase
from testkommune.scenarios.fagsystemer.foraeldrebetaling import OIR_B01, BilledClaim, Foraeldrebetaling

# --- lawful: another policy, another numbering, another timing -------------------------------------------


class Srb21(Foraeldrebetaling):
    """Lawful: the kommune's policy gives 21 days from forfald to the last timely payment date (not 14)."""

    name = "foraeldrebetaling-srb-21"
    srb_days_after_forfald = 21


class AndenNummerering(Foraeldrebetaling):
    """Lawful: numbers its claims from a running counter (KRAV0000001, …), not from the case id."""

    name = "foraeldrebetaling-anden-nummerering"

    def connect(self, kommune: KommuneConnection) -> None:
        super().connect(kommune)
        self.numbers: dict[str, str] = {}

    def reference(self, case: BillingCase) -> str:
        if case.case_id not in self.numbers:
            self.numbers[case.case_id] = f"KRAV{len(self.numbers) + 1:07d}"
        return self.numbers[case.case_id]

    def correct(self, case: BillingCase, today: date) -> None:
        claim = next(c for c in self.claims if c.reference == self.reference(case))
        difference = case.amount - claim.amount
        if not difference:
            return
        operation = "NedskrivFordring" if difference < 0 else "OpskrivFordring"
        body = {"FordringReference": claim.reference, "Beløb": float(abs(difference)), "Årsag": "Ny pris"}
        answer = self._deliver(
            f"{OIR_B01}/{operation}", {"Hovedoplysninger": self._header(today), operation: body}
        )
        if answer is not None and answer["Forretningskvittering"]["Status"] == "GODKENDT":
            claim.amount = case.amount


class OverdragerEfterRykkerfrist(Foraeldrebetaling):
    """Lawful: waits six days after SRB (the rykker's own payment time) before it asks for hand-over."""

    name = "foraeldrebetaling-overdrager-efter-rykkerfrist"

    def overdue(self, claim: BilledClaim, today: date) -> bool:
        return today >= claim.srb + timedelta(days=6)


class LaeserPostkassenForfra(Foraeldrebetaling):
    """Lawful: reads its whole mailbox from the start every day and applies each BeskedID once."""

    name = "foraeldrebetaling-laeser-postkassen-forfra"

    def read_mailbox(self) -> None:
        self.cursor = 0
        super().read_mailbox()


class KontoPrFordring(Foraeldrebetaling):
    """Lawful: opens a debtor account of its own for every claim (the reference keeps one per debtor)."""

    name = "foraeldrebetaling-konto-pr-fordring"

    def _deliver(
        self, path: str, message: dict[str, Any], claim: BilledClaim | None = None
    ) -> dict[str, Any] | None:
        if "OpretDebitorkonto" in message and claim is not None and claim.account.startswith("DAG-"):
            claim.account = f"K-{claim.reference}"[:40]
            body = message["OpretDebitorkonto"]
            spec = body["DebitorkontoSpecifikation"] | {"DebitorkontoReference": claim.account}
            message = message | {"OpretDebitorkonto": body | {"DebitorkontoSpecifikation": spec}}
        return super()._deliver(path, message, claim)


LAWFUL: dict[str, type[Foraeldrebetaling]] = {
    "srb-21": Srb21,
    "anden-nummerering": AndenNummerering,
    "overdrager-efter-rykkerfrist": OverdragerEfterRykkerfrist,
    "laeser-postkassen-forfra": LaeserPostkassenForfra,
    "konto-pr-fordring": KontoPrFordring,
}
