"""The reference fagsystem's NemKonto client (SF1590_E): pay a case's amount to its party, fetch the answer.

One bundle per payout day (Group Header, Payment Information, one Payment Transaction per case), sent
ukomplet so NemKonto finds the payee's account in its register. The payee is the party the case names, by the
identity NemKonto is keyed on: a citizen's CPR, a company unit's SE number when it has one, else its CVR.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

import requests
from testkommune.contracts.model import BillingCase

NKS = "/service/OIR/NKSBetalingsanmodning/1"
KOMMUNE_CVR = "29189846"  # the paying myndighed (a synthetic CVR with a valid check digit)


class Owner(Protocol):
    session: requests.Session

    def base_url_and_headers(self) -> tuple[str, dict[str, str]]: ...
    def header(self, today: date) -> dict[str, str]: ...
    def payee(self, case: BillingCase) -> dict[str, str]: ...
    def end_to_end_id(self, case: BillingCase, nth: int) -> str: ...


class NemKontoClient:
    def __init__(self, owner: Owner, dataleverandoer: tuple[str, str]) -> None:
        self.owner = owner
        self.dataleverandoer = dataleverandoer
        self.waiting: list[str] = []  # TransaktionsID of bundles whose forretningssvar is not final yet
        self.answers: dict[str, dict[str, Any]] = {}
        self.payouts: dict[str, int] = {}  # case_id → how many payouts it had

    def pay(self, cases: Sequence[BillingCase], today: date) -> None:
        kort, lang = self.dataleverandoer
        for case in cases:
            self.payouts[case.case_id] = self.payouts.get(case.case_id, 0) + 1
        transactions = [
            {
                "EndToEndId": self.owner.end_to_end_id(case, self.payouts[case.case_id]),
                "Beløb": float(case.amount),
                "Modtager": self.owner.payee(case),
                "Betalingsform": "UKOMPLET",
            }
            for case in cases
        ]
        header = self.owner.header(today)
        message = {
            "Hovedoplysninger": header,
            "GroupHeader": {
                "GrpId": f"B-{uuid.uuid4().hex[:16]}",
                "AntalTransaktioner": len(transactions),
                "KontrolSum": float(sum(case.amount for case in cases)),
            },
            "PaymentInformation": {
                "Myndighed": {"CVRNummer": KOMMUNE_CVR},
                "DataleverandøridentifikationKort": kort,
                "DataleverandørIdentifikationLang": lang,
                "Betalingsdato": today.isoformat(),
            },
            "PaymentTransaction": transactions,
        }
        response = self._post("NKSBetalingsanmodningAfsend", message)
        self.waiting.append(header["TransaktionsID"])
        if response is not None and response.status_code == 200:
            self.answers[header["TransaktionsID"]] = response.json()

    def daily(self, today: date) -> None:
        """Fetch the forretningssvar of every bundle not yet answered in full."""
        still = []
        for tid in self.waiting:
            response = self._post("NKSForretningssvarHent", {"TransaktionsID": tid})
            body = response.json() if response is not None and response.status_code == 200 else {}
            if body:
                self.answers[tid] = body
            answers = body.get("Forretningssvar", [])
            if not answers or any(a.get("Status") == "UNDER_BEHANDLING" for a in answers):
                still.append(tid)
        self.waiting = still

    def _post(self, operation: str, body: dict[str, Any]) -> requests.Response | None:
        base_url, headers = self.owner.base_url_and_headers()
        try:
            return self.owner.session.post(
                f"{base_url}{NKS}/{operation}", json=body, headers=headers, timeout=30
            )
        except requests.ConnectionError:
            return None
