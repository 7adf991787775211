"""What the harness saw at the test kommune: state and journal, read through the admin API.

A case's claims are found by the fagsystem's own references: the FordringReference of every Fordring it
sent while the harness asked it to act on that case (`references`, recorded by the runner). Claims the
fagsystem sent for no case are `unaccounted`. Every refusal in the journal, whatever its shape, is read
through `refusals_in`.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any

from testkommune.contracts.catalogue import error_catalogue
from testkommune.contracts.model import BillingCase

SOAP = "soap"
"""The journal's counterpart for a SOAP exchange as sent (the simulators' SOAP binding writes it)."""


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
    references: dict[str, list[str]] = field(default_factory=dict)
    _parsed: dict[int, Any] = field(default_factory=dict)
    _soap: dict[int, dict[str, Any]] | None = None

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
        """The claims in the debitor system the fagsystem sent for this case (by its own references).

        A case whose bill reached no counterpart while the harness watched (a closed service window, a
        delivery postponed to the daily run) is matched by debtor and period among the claims sent for no
        other case."""
        refs = self.references.get(case.case_id)
        if refs:
            return [c for c in self.claims if c["FordringReference"] in refs]
        accounts = {str(a["id"]) for a in self.accounts if a["debtor_id"] == case.debtor.id}
        month = case.period_from.isoformat()[:7]
        return [
            c
            for c in self.unaccounted()
            if c["DebitorkontoID"] in accounts
            and month in (c["Data"].get("PeriodeFraDato", "")[:7], c["Data"].get("PeriodeTilDato", "")[:7])
        ]

    def psrm_claims_of(self, case: BillingCase) -> list[dict[str, Any]]:
        """The claims a fagsystem in the direct role created at PSRM for this case (OPRETFORDRING actions):
        by its own claimant references, else by debtor and period."""
        refs = set(self.references.get(case.case_id, []))
        month = case.period_from.isoformat()[:7]
        found = []
        for action in self.psrm_actions:
            if action.get("MFAktionKode") != "OPRETFORDRING":
                continue
            if action.get("DMIFordringFordringHaverRef") in refs:
                found.append(action)
                continue
            chosen = ((action.get("Anmodning") or {}).get("AktionValg") or {}).values()
            opret = (a.get("MFOpretFordringStruktur") for a in chosen if isinstance(a, dict))
            struktur = next(opret, None) or {}
            period = (struktur.get("FordringPeriodeStruktur") or {}).get("DMIFordringPeriodeFraDato", "")
            liable = json.dumps(struktur.get("FordringHæftelseSamling") or {})
            if str(period)[:7] == month and f'"{case.debtor.id}"' in liable:
                found.append(action)
        return found

    def case_of(self, reference: str) -> str | None:
        """The id of the case whose claims carry this FordringReference, if any."""
        return next((case for case, refs in self.references.items() if reference in refs), None)

    def unaccounted(self) -> list[dict[str, Any]]:
        """Claims in the tenant the fagsystem sent for none of the scenario's cases."""
        known = {ref for refs in self.references.values() for ref in refs}
        return [c for c in self.claims if c["FordringReference"] not in known]

    def exchanges(self, operation: str) -> list[dict[str, Any]]:
        return [e for e in self.journal if e["operation"] == operation]

    def refused(self, operation: str) -> bool:
        """Did a counterpart refuse any call of `operation` (in any shape the journal keeps)?"""
        return any(self.refusals(entry) for entry in self.exchanges(operation))

    def refusals(self, entry: dict[str, Any]) -> list[dict[str, Any]]:
        """The refusals of one exchange, each with its catalogue texts (see `refusals_in`)."""
        return refusals_in(self.response_of(entry), request=entry.get("request"))

    def response_of(self, entry: dict[str, Any]) -> Any:
        if entry["id"] not in self._parsed:
            try:
                self._parsed[entry["id"]] = json.loads(entry["response"]) if entry.get("response") else None
            except ValueError:  # cut at the journal's text limit: kept as text
                self._parsed[entry["id"]] = entry["response"]
        return self._parsed[entry["id"]]

    def soap_of(self, entry: dict[str, Any]) -> dict[str, Any] | None:
        """The SOAP exchange (counterpart `soap`) an operation's journal entry was the inner call of, if the
        fagsystem spoke SOAP: the binding journals the envelope right after the JSON route's own entry."""
        if self._soap is None:
            self._soap = {}
            pending: dict[str, list[dict[str, Any]]] = {}
            for item in sorted(self.journal, key=lambda e: e["id"]):
                if item["counterpart"] != SOAP:
                    pending.setdefault(item["operation"], []).append(item)
                elif item["operation"].startswith("SOAP "):
                    inner = pending.get(item["operation"].removeprefix("SOAP "))
                    if inner:
                        self._soap[inner.pop()["id"]] = item
        return self._soap.get(entry["id"])

    def sent_action(self, aktion_id: str) -> dict[str, Any] | None:
        """The MFFordringIndberet the fagsystem itself sent (direct role) that carried this action, if any."""
        quoted = json.dumps(aktion_id)
        for entry in self.exchanges("MFFordringIndberet"):
            if entry["method"] == "POST" and quoted in (entry.get("request") or ""):
                return entry
        return None

    def binding_of(self, entry: dict[str, Any]) -> str:
        """`soap` or `json`: how the fagsystem sent the exchange."""
        return SOAP if entry["counterpart"] == SOAP or self.soap_of(entry) is not None else "json"

    def bindings(self) -> dict[str, str]:
        """Every exchange's binding by journal id (the SOAP envelope's own entries are `soap`)."""
        return {str(e["id"]): self.binding_of(e) for e in self.journal}

    def curl(self, entry: dict[str, Any]) -> str:
        """The exchange as one curl command, to replay it by hand against a running test kommune: as the
        fagsystem sent it, so a SOAP call is its envelope, posted to the SOAP address it went to."""
        shown = {k: v for k, v in self.headers.items() if k.lower() != "authorization"}
        headers = " ".join(f"-H {shlex.quote(f'{k}: {v}')}" for k, v in shown.items())
        if len(shown) < len(self.headers):  # never write a credential into a report
            headers += ' -H "Authorization: Bearer $TESTKOMMUNE_TOKEN"'
        sent, media = entry, "application/json"
        envelope = self.soap_of(entry)
        if envelope is not None:
            sent, media = envelope, "text/xml; charset=utf-8"
        body = shlex.quote(sent["request"] or "")
        return (
            f"curl -sS -X {sent['method']} {shlex.quote(self.base_url + sent['path'])} "
            f"-H {shlex.quote(f'Content-Type: {media}')} {headers} --data {body}"
        )


def refusals_in(answer: Any, *, request: str | None = None) -> list[dict[str, Any]]:
    """Every refusal an answer carries, in any shape a counterpart or the journal keeps it: a problem's
    `errors`, a bare `{"code": …}`, a forretningskvittering's `Fejl`, PSRM's `AfvistÅrsagSamling` (a list
    on the simulator's internal legs, `…/MFAktionAfvistStruktur` on the wire). A
    refusal kept as a bare code gets its texts from the error catalogue. Warnings are not refusals, nor is an
    injected fault's own answer (`fault`); an answer a fault lost on its way back (`_fault`) still counts."""
    if not isinstance(answer, dict) or "fault" in answer:
        return []
    found: list[dict[str, Any]] = []
    for key in ("errors", "Fejl", "AfvistÅrsagSamling"):
        listed = answer.get(key) or []
        if isinstance(listed, dict):  # PSRM on the wire: AfvistÅrsagSamling/MFAktionAfvistStruktur
            listed = listed.get("MFAktionAfvistStruktur") or []
        found.extend(e for e in listed if isinstance(e, dict))
    if isinstance(answer.get("code"), str):
        found.append(answer)
    for receipt in ("Forretningskvittering", "Kvittering"):
        inner = answer.get(receipt)
        if isinstance(inner, dict):
            found.extend(e for e in inner.get("Fejl") or [] if isinstance(e, dict))
    return [_described(e, request) for e in found if isinstance(e.get("code"), str)]


def _described(error: dict[str, Any], request: str | None) -> dict[str, Any]:
    """A refusal with its catalogue texts, when the journal kept only its code."""
    if error.get("text_en") or error["code"] not in error_catalogue():
        return error
    value = _transaktions_id(request)
    described = error_catalogue().describe(error["code"], {"value": value} if value else {})
    return described | {"path": error.get("path", "$")} | error


def _transaktions_id(request: str | None) -> str | None:
    try:
        parsed = json.loads(request or "{}")
    except ValueError:
        return None
    header = parsed.get("Hovedoplysninger") if isinstance(parsed, dict) else None
    return header.get("TransaktionsID") if isinstance(header, dict) else None


def sent_references(request: str | None) -> list[str]:
    """The FordringReference of every Fordring a delivery to ØiR carried (in its operation's body)."""
    try:
        parsed = json.loads(request or "{}")
    except ValueError:
        return []
    if not isinstance(parsed, dict):
        return []
    refs: list[str] = []
    for key, body in parsed.items():
        if key == "Hovedoplysninger" or not isinstance(body, dict):
            continue
        for claim in body.get("Fordring") or []:
            if isinstance(claim, dict) and isinstance(claim.get("FordringReference"), str):
                refs.append(claim["FordringReference"])
    return refs
