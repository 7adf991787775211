"""Checks of resilience and of the seeds' failure list: nothing lost, nothing asked twice, the right party.

They read the debitor system's claims, the journal of exchanges and the messages as delivered.
"""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from typing import Any

from testkommune.contracts.model import BillingCase
from testkommune.harness.certify.checks import NEMKONTO_REFUSALS, _from_error, _harness_failure, check
from testkommune.harness.certify.observation import Observation
from testkommune.harness.certify.results import Failure


@check("CERT-BOOKET-ANTAL", "CERT-TABT")
def nothing_lost(obs: Observation, _: Any) -> list[Failure]:
    """Each billed case reached the debitor system exactly once, whatever faults the delivery met."""
    failures = []
    for case in obs.billed:
        found = obs.claims_of(case)
        if not found and obs.refused("OpretDebitorkonto"):
            continue  # it did reach ØiR, which refused it: oir_accepted names the reason
        if not found:
            tried = len(obs.exchanges("OpretDebitorkonto"))
            detail = f"{tried} attempts seen" if tried else "never sent"
            failures.append(
                _harness_failure(
                    "nothing_lost",
                    "CERT-TABT",
                    "$.OpretDebitorkonto.Fordring",
                    1,
                    0,
                    {"case": case.case_id, "counterpart": "ØiR", "detail": detail},
                )
            )
        elif len(found) > 1:
            failures.append(
                _harness_failure(
                    "nothing_lost",
                    "CERT-BOOKET-ANTAL",
                    "$.OpretDebitorkonto.Fordring",
                    1,
                    len(found),
                    {"case": case.case_id, "refs": ", ".join(c["FordringReference"] for c in found)},
                )
            )
    return failures


def _request(entry: dict[str, Any]) -> dict[str, Any]:
    try:
        parsed = json.loads(entry.get("request") or "{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


@check("CERT-OVERDRAGET-IGEN")
def handed_over_once(obs: Observation, _: Any) -> list[Failure]:
    """Each claim was asked handed over to inddrivelse once (a repeat of the same delivery does not count)."""
    asked: Counter[str] = Counter()
    for entry in obs.exchanges("RetFordringTilstand"):
        answer = obs.response_of(entry) or {}
        if entry["status"] >= 500 or answer.get("Kvittering", {}).get("Genfremsendt"):
            continue  # a fault, or a re-delivery of the same TransaktionsID: one request
        ref = (_request(entry).get("RetFordringTilstand") or {}).get("FordringReference")
        if ref:
            asked[ref] += 1
    return [
        _harness_failure(
            "handed_over_once",
            "CERT-OVERDRAGET-IGEN",
            f"$.RetFordringTilstand (FordringReference {ref})",
            1,
            count,
            {"ref": ref},
        )
        for ref, count in sorted(asked.items())
        if count > 1
    ]


def _parties(obs: Observation, case: BillingCase) -> list[dict[str, Any]]:
    """The JuridiskAnsvarlig of every accepted OpretDebitorkonto that carried this case's debtor."""
    found = []
    for entry in obs.exchanges("OpretDebitorkonto"):
        if entry["status"] >= 400:
            continue
        spec = (_request(entry).get("OpretDebitorkonto") or {}).get("DebitorkontoSpecifikation") or {}
        party = spec.get("JuridiskAnsvarlig") or {}
        if case.debtor.id in (party.get("PersonCPRNummer"), party.get("VirksomhedCVRNummer")) or (
            case.debtor.se
            and case.debtor.se in (party.get("VirksomhedSENummer"), party.get("VirksomhedCVRNummer"))
        ):
            found.append(party)
    return found


@check("CERT-PART-AFVIGER")
def debtor_identified(obs: Observation, _: Any) -> list[Failure]:
    """The debtor is named by its own identity: a company by its CVR, its unit by its SE number."""
    failures = []
    for case in obs.billed:
        if case.debtor.kind != "virksomhed":
            continue
        parties = _parties(
            obs, case
        )  # none accepted: its refusal is named by oir_accepted / claims_accounted
        for party in parties[:1]:
            wanted = {"VirksomhedCVRNummer": case.debtor.id, "VirksomhedSENummer": case.debtor.se}
            for field, expected in wanted.items():
                if expected and party.get(field) != expected:
                    failures.append(
                        _harness_failure(
                            "debtor_identified",
                            "CERT-PART-AFVIGER",
                            f"$.OpretDebitorkonto.DebitorkontoSpecifikation.JuridiskAnsvarlig.{field}",
                            expected,
                            party.get(field) or "missing",
                            {"field": field, "case": case.case_id},
                        )
                    )
    return failures


@check("CERT-UDEN-FAST-BOPAEL")
def no_fixed_address_marked(obs: Observation, _: Any) -> list[Failure]:
    """A citizen with no fixed address is marked UdenFastBopæl on the debtor account."""
    failures = []
    for case in obs.billed:
        if case.debtor.kind != "person" or case.debtor.address is not None:
            continue
        for party in _parties(obs, case)[:1]:  # none accepted: its refusal is named elsewhere
            if party.get("UdenFastBopæl") is not True:
                failures.append(
                    _harness_failure(
                        "no_fixed_address_marked",
                        "CERT-UDEN-FAST-BOPAEL",
                        "$.OpretDebitorkonto.DebitorkontoSpecifikation.JuridiskAnsvarlig.UdenFastBopæl",
                        True,
                        party.get("UdenFastBopæl", "missing"),
                        {"case": case.case_id},
                    )
                )
    return failures


@check("CERT-BOOKET-ANTAL", "CERT-RETTELSE-EFTER-GODKENDELSE")
def claim_corrected(obs: Observation, _: Any) -> list[Failure]:
    """After a correction each case has one fordring in the debitor system, its balance the new amount."""
    failures = []
    for case in obs.billed:
        accounts = {str(a["id"]) for a in obs.accounts if a["debtor_id"] == case.debtor.id}
        month = case.period_from.isoformat()[:7]
        found = [
            c
            for c in obs.claims
            if c["DebitorkontoID"] in accounts and c["Data"].get("PeriodeFraDato", "")[:7] == month
        ]
        if len(found) != 1:
            failures.append(
                _harness_failure(
                    "claim_corrected",
                    "CERT-BOOKET-ANTAL",
                    "$.OpretDebitorkonto.Fordring",
                    1,
                    len(found),
                    {"case": case.case_id, "refs": ", ".join(c["FordringReference"] for c in found)},
                )
            )
            continue
        saldo = Decimal(str(found[0]["SaldoBeløb"]))
        if saldo != case.amount:
            failures.append(
                _harness_failure(
                    "claim_corrected",
                    "CERT-RETTELSE-EFTER-GODKENDELSE",
                    f"$.Fordring (FordringReference {found[0]['FordringReference']}).SaldoBeløb",
                    f"{case.amount:.2f}",
                    f"{saldo:.2f}",
                    {"case": case.case_id},
                )
            )
    return failures


@check("CERT-STAMDATA-AFVIGER", "CERT-PART-AFVIGER", "CERT-TABT", relays=NEMKONTO_REFUSALS)
def paid_to_payee(obs: Observation, argument: Any) -> list[Failure]:
    """Each of the scenario's cases was paid out through NemKonto to the right payee identity (cpr/cvr/se)."""
    wanted_kind = str(argument or "").upper()
    payments = (obs.state.get("nemkonto") or {}).get("betalinger", [])
    failures = []
    for case in obs.cases:
        identities = {case.debtor.id, case.debtor.se} - {None}
        mine = [p for p in payments if Decimal(str(p["Beløb"])) == case.amount] or [
            p for p in payments if p["Modtager"]["Nummer"] in identities
        ]
        if not mine:
            failures.extend(_payout_missing(obs, case))
            continue
        payment = mine[-1]
        if Decimal(str(payment["Beløb"])) != case.amount:
            failures.append(
                _harness_failure(
                    "paid_to_payee",
                    "CERT-STAMDATA-AFVIGER",
                    "$.PaymentTransaction[].Beløb",
                    f"{case.amount:.2f}",
                    f"{Decimal(str(payment['Beløb'])):.2f}",
                    {"field": "Beløb", "case": case.case_id},
                )
            )
        for error in payment.get("Fejl", []) if payment["Status"] == "AFVIST" else []:
            failures.append(_from_error("paid_to_payee", error, expected="GODKENDT", reproduce=None))
        identity = {"CPR": case.debtor.id, "CVR": case.debtor.id, "SE": case.debtor.se}.get(wanted_kind)
        expected = f"{wanted_kind} {identity}"
        actual = f"{payment['Modtager']['Type']} {payment['Modtager']['Nummer']}"
        if wanted_kind and actual != expected:
            failures.append(
                _harness_failure(
                    "paid_to_payee",
                    "CERT-PART-AFVIGER",
                    "$.PaymentTransaction[].Modtager",
                    expected,
                    actual,
                    {"field": "Modtager", "case": case.case_id},
                )
            )
    return failures


def _payout_missing(obs: Observation, case: BillingCase) -> list[Failure]:
    """No payment of the case at NemKonto: the refusals of its requests if they were refused, else lost."""
    sent = [e for e in obs.journal if e["operation"].startswith("NKS") and e["method"] == "POST"]
    refused = [
        _from_error("paid_to_payee", error, expected="GODKENDT", reproduce=obs.curl(entry))
        for entry in sent
        for error in obs.refusals(entry)
    ]
    if refused:
        return refused
    detail = f"{len(sent)} requests sent, none stored" if sent else "no payment request sent"
    return [
        _harness_failure(
            "paid_to_payee",
            "CERT-TABT",
            "$.PaymentTransaction",
            1,
            0,
            {"case": case.case_id, "counterpart": "NemKonto", "detail": detail},
        )
    ]
