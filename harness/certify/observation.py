"""What the harness saw at the test kommune: state and journal, read through the admin API."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from testkommune.contracts.model import BillingCase


@dataclass
class Observation:
    """The tenant's state and journal at one moment, and the cases the scenario billed."""

    state: dict[str, Any]
    journal: list[dict[str, Any]]
    cases: list[BillingCase]
    billed: list[BillingCase]
    base_url: str
    headers: dict[str, str]
    scenario_id: str = ""
    seed: int = 0
    _parsed: dict[int, Any] = field(default_factory=dict)

    @property
    def claims(self) -> list[dict[str, Any]]:
        return self.state["debitor"]["claims"]

    @property
    def accounts(self) -> list[dict[str, Any]]:
        return self.state["debitor"]["accounts"]

    @property
    def psrm_actions(self) -> list[dict[str, Any]]:
        return self.state["psrm"]["actions"]

    def claims_of(self, case: BillingCase) -> list[dict[str, Any]]:
        """Claims in the debitor system for this case's debtor and period."""
        accounts = {str(a["id"]) for a in self.accounts if a["debtor_id"] == case.debtor.id}
        month = case.period_from.isoformat()[:7]
        candidates = [
            c
            for c in self.claims
            if c["DebitorkontoID"] in accounts
            and month in (c["Data"].get("PeriodeFraDato", "")[:7], c["Data"].get("PeriodeTilDato", "")[:7])
        ]
        same_amount = [c for c in candidates if _same_amount(c["Data"].get("HovedstolBeløb"), case.amount)]
        return same_amount or candidates

    def exchanges(self, operation: str) -> list[dict[str, Any]]:
        return [e for e in self.journal if e["operation"] == operation]

    def refused(self, operation: str) -> bool:
        """Did ØiR refuse any call of `operation` (a problem, or a forretningskvittering AFVIST)?"""
        for entry in self.exchanges(operation):
            answer = self.response_of(entry) or {}
            if entry["status"] >= 400 or answer.get("Forretningskvittering", {}).get("Status") == "AFVIST":
                return True
        return False

    def response_of(self, entry: dict[str, Any]) -> Any:
        if entry["id"] not in self._parsed:
            self._parsed[entry["id"]] = json.loads(entry["response"]) if entry.get("response") else None
        return self._parsed[entry["id"]]

    def curl(self, entry: dict[str, Any]) -> str:
        """The exchange as one curl command, to replay it by hand against a running test kommune."""
        shown = {k: v for k, v in self.headers.items() if k.lower() != "authorization"}
        headers = " ".join(f"-H {shlex.quote(f'{k}: {v}')}" for k, v in shown.items())
        if len(shown) < len(self.headers):  # never write a credential into a report
            headers += ' -H "Authorization: Bearer $TESTKOMMUNE_TOKEN"'
        return (
            f"curl -sS -X {entry['method']} {shlex.quote(self.base_url + entry['path'])} "
            f"-H 'Content-Type: application/json' {headers} --data {shlex.quote(entry['request'] or '')}"
        )


def _same_amount(sent: Any, expected: Decimal) -> bool:
    """Does an amount a fagsystem sent equal the case's amount (exactly, in kroner and øre)?"""
    return isinstance(sent, int | float) and not isinstance(sent, bool) and Decimal(str(sent)) == expected
