"""The reference fagsystem's ØiR finans client (SF1590_A): finansbilag straks and masse, over HTTP.

It books the income of what the fagsystem billed against the mellemregning with the debitor system,
fetches a lost or later forretningskvittering with HentForretningskvittering, corrects a rejected bilag at
the source and sends it as a new delivery (fejlretning ved kilde, oeir.md §7), and keeps an unanswered
delivery to send again, unchanged and under the same TransaktionsID, when the ERP is back. The owner
fagsystem decides the business parts (lines, corrections, ids), so its broken variants can change one.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import requests
from testkommune.contracts.model import BillingCase

ERP = "/service/OIR/ModtagFinansbilag/2"
RETRY_STATUSES = {502, 503}


class Owner(Protocol):
    session: requests.Session
    max_attempts: int
    fetch_answers: bool

    def base_url_and_headers(self) -> tuple[str, dict[str, str]]: ...
    def header(self, today: date) -> dict[str, str]: ...
    def finansbilag(self, case: BillingCase, today: date) -> dict[str, Any]: ...
    def correct_bilag(
        self, bilag: dict[str, Any], errors: list[dict[str, Any]], today: date
    ) -> dict[str, Any] | None: ...
    def correction_id(self, rejected_id: str) -> str: ...


@dataclass
class SentBilag:
    """The fagsystem's record of one finansbilag it sent and what it knows of its fate."""

    bilag: dict[str, Any]
    transaktions_id: str
    status: str = "SENDT"  # SENDT (no answer yet), UNDER_BEHANDLING, GODKENDT, AFVIST
    errors: list[dict[str, Any]] = field(default_factory=list)


class FinansClient:
    def __init__(self, owner: Owner) -> None:
        self.owner = owner
        self.sent: dict[str, SentBilag] = {}
        self.outbox: list[tuple[str, dict[str, Any]]] = []

    def post(self, cases: Sequence[BillingCase], today: date, masse: bool) -> None:
        bilag = [self.owner.finansbilag(case, today) for case in cases]
        if masse:
            self._deliver(
                "ModtagFinansbilagMasse", {"Hovedoplysninger": self.owner.header(today), "Finansbilag": bilag}
            )
            return
        for one in bilag:
            self._deliver(
                "ModtagFinansbilag", {"Hovedoplysninger": self.owner.header(today), "Finansbilag": one}
            )

    def daily(self, today: date) -> None:
        """Send what the ERP could not take, fetch answers still due, correct and resend rejected bilag."""
        waiting, self.outbox = self.outbox, []
        for operation, message in waiting:
            self._deliver(operation, message)
        due = {s.transaktions_id for s in self.sent.values() if s.status in ("SENDT", "UNDER_BEHANDLING")}
        for tid in sorted(due) if self.owner.fetch_answers else []:
            self._fetch(tid)
        for record in list(self.sent.values()):
            if record.status != "AFVIST":
                continue
            corrected = self.owner.correct_bilag(record.bilag, record.errors, today)
            if corrected is None:
                continue
            header = self.owner.header(today) | {
                "TransaktionsID": self.owner.correction_id(record.transaktions_id)
            }
            self._deliver("ModtagFinansbilag", {"Hovedoplysninger": header, "Finansbilag": corrected})

    # -- transport --------------------------------------------------------------------------------
    def _post(self, operation: str, body: dict[str, Any]) -> requests.Response | None:
        base_url, headers = self.owner.base_url_and_headers()
        try:
            return self.owner.session.post(
                f"{base_url}{ERP}/{operation}", json=body, headers=headers, timeout=30
            )
        except requests.ConnectionError:
            return None

    def _deliver(self, operation: str, message: dict[str, Any]) -> None:
        tid = message["Hovedoplysninger"]["TransaktionsID"]
        bilag = message["Finansbilag"]
        for one in bilag if isinstance(bilag, list) else [bilag]:
            self.sent[one["BilagID"]] = SentBilag(one, tid)
        for attempt in range(1, self.owner.max_attempts + 1):
            response = self._post(operation, message)
            if response is not None and response.status_code == 504:  # the answer was lost: ask for it
                if not self.owner.fetch_answers or self._fetch(tid):
                    return
            elif response is not None and response.status_code not in RETRY_STATUSES:
                body = response.json()
                if response.status_code < 400:
                    self._record(tid, [body["Forretningskvittering"]])
                else:  # refused whole by the contract: the fagsystem's defect, noted, not resent
                    for one in bilag if isinstance(bilag, list) else [bilag]:
                        self.sent[one["BilagID"]] = SentBilag(one, tid, "AFVIST", body.get("errors", []))
                return
            time.sleep(0.01 * attempt)
        self.outbox.append((operation, message))  # the ERP is away: the same delivery goes again later

    def _fetch(self, tid: str) -> bool:
        """HentForretningskvittering; True when the ERP knows the delivery."""
        response = self._post("HentForretningskvittering", {"TransaktionsID": tid})
        if response is None or response.status_code != 200:
            return False
        body = response.json()
        self._record(tid, body["Forretningskvittering"])
        return True

    def _record(self, tid: str, answers: list[dict[str, Any]]) -> None:
        for answer in answers:
            if answer.get("Status") == "UNDER_BEHANDLING" and "BilagID" not in answer:
                for pending in self.sent.values():
                    if pending.transaktions_id == tid and pending.status == "SENDT":
                        pending.status = "UNDER_BEHANDLING"
                continue
            record = self.sent.get(answer.get("BilagID", ""))
            if record is not None and record.transaktions_id == tid:
                record.status = answer["Status"]
                record.errors = answer.get("Fejl", [])
