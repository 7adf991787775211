"""Checks of the life of a case: what arrived after the business events, wherever the claim now lives.

A claim lives in the kommune's debitor system while under opkrævning (the ØiR role) and at PSRM once it was
handed over or sent there directly (the system-to-system role); each check reads it where it is. Every
refusal a counterpart gave the fagsystem (ØiR, the debitor system, PSRM, NemKonto), in every shape the
journal and the state keep it, is read through `refusals` and fails with the counterpart's own code.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from testkommune.contracts.model import BillingCase
from testkommune.contracts.privacy import mask_cpr
from testkommune.harness.certify.checks import (
    NEMKONTO_REFUSALS,
    OIR_REFUSALS,
    _from_error,
    _harness_failure,
    _same_claim,
    check,
    extra_claims,
)
from testkommune.harness.certify.observation import Observation, refusals_in
from testkommune.harness.certify.results import Failure

LIVSFORLOEB_VIEW_CHECKS = frozenset({"claim_after_events", "co_debtors_liable"})
"""Checks that read the debitor system's full view (hæftelser, delfordringer)."""

COLLECTION = {  # where a claim is in its life, by the holder's own state
    "OPKRAEVNING": "active",
    "BERO": "paused",
    "ANNULLERET": "ended",
    "OVERDRAGET": "handed_over",
    "INDDRIVELSE": "handed_over",
}
PSRM_COLLECTION = {"UNDER_INDDRIVELSE": "handed_over", "INDFRIET": "handed_over", "AFSKREVET": "ended"}
IGNORED = {"HentDebitorkonto", "SoegDebitorkonto", "HentDaekningAfskrivning", "MFKvitteringHent"}


def _kr(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _parsed(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


# -- every refusal, in every shape -------------------------------------------------------------------


def refusals(obs: Observation, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """Every refusal in one exchange's answer: the shapes `Observation.refusals` reads (a problem's errors,
    a bare `{code}`, a forretningskvittering's Fejl), and those nested in a list of answers: PSRM's
    AfvistÅrsagSamling per action of a leverance, NemKonto's refused payments of a bundle."""
    answer = obs.response_of(entry)
    if not isinstance(answer, dict) or (answer.get("Kvittering") or {}).get("Genfremsendt"):
        return []  # nothing answered, or a re-delivery's stored answer: the original exchange is judged
    nested: list[Any] = []
    info = answer.get("FordringInfo") or {}
    nested.extend((info.get("FordringAktionStatusSamling") or {}).get("MFAktionStruktur") or [])
    nested.extend(s for s in answer.get("Forretningssvar") or [] if s.get("Status") == "AFVIST")
    found = obs.refusals(entry)
    for inner in nested:
        found.extend(refusals_in(inner, request=entry.get("request")))
    return found


@check(relays=(*OIR_REFUSALS, *NEMKONTO_REFUSALS))
def exchanges_accepted(obs: Observation, _: Any) -> list[Failure]:
    """Every message the fagsystem sent (ØiR, debitor system, PSRM, NemKonto) was accepted, now or later."""
    failures = []
    for entry in obs.journal:
        if entry["operation"] in IGNORED:
            continue
        for error in refusals(obs, entry):
            failures.append(
                _from_error("exchanges_accepted", error, expected="GODKENDT", reproduce=obs.curl(entry))
            )
    for action in obs.psrm_actions:  # PSRM's batch refused it after the synchronous MODTAGET
        if action["MFAktionStatusKode"] == "AFVIST":
            sent = obs.sent_action(str(action.get("MFAktionID", "")))
            reproduce = obs.curl(sent) if sent is not None else None  # as sent, in the direct role
            for error in action.get("AfvistÅrsagSamling", []):
                failures.append(
                    _from_error("exchanges_accepted", error, expected="UDFOERT", reproduce=reproduce)
                )
    for payment in (obs.state.get("nemkonto") or {}).get("betalinger", []):
        for error in payment.get("Fejl", []) if payment.get("Status") == "AFVIST" else []:
            failures.append(_from_error("exchanges_accepted", error, expected="GODKENDT", reproduce=None))
    return _unique(failures)


def _unique(failures: list[Failure]) -> list[Failure]:
    """One failure per (code, field, value): a refusal in the answer and again in the state counts once."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for failure in failures:
        key = (failure.code, failure.field, str(failure.actual))
        if key not in seen:
            seen.add(key)
            out.append(failure)
    return out


# -- where the case's claim is now -------------------------------------------------------------------


def debitor_claims(obs: Observation, case: BillingCase) -> list[dict[str, Any]]:
    """The case's claims in the debitor system's full view: on the debtor's accounts, for its period."""
    view = obs.state.get("debitor_system") or {}
    mine = {c["FordringID"] for c in obs.claims_of(case)}
    return [c for a in view.get("accounts", []) for c in a.get("Fordring", []) if c["FordringID"] in mine]


def psrm_claims(obs: Observation, case: BillingCase) -> list[dict[str, Any]]:
    """The case's claims at PSRM: those created by an action for one of its debtors and its period."""
    refs = set()
    for action in obs.psrm_actions:
        _, struct = next(iter(action["Anmodning"]["AktionValg"].items()))
        main = struct.get("MFOpretFordringStruktur")
        if not isinstance(main, dict) or not _concerns(main, case):
            continue
        refs.add(main["DMIFordringFordringHaverRef"])
    claims = obs.state["psrm"].get("claims", [])
    return [c for c in claims if c["claimant_ref"] in refs and c["kind"] == "HF"]


def _concerns(struct: dict[str, Any], case: BillingCase) -> bool:
    ids = {next(iter(h["MFKundeStruktur"]["Valg"].values())) for h in _haeftelser(struct)}
    period = (struct.get("FordringPeriodeStruktur") or {}).get("DMIFordringPeriodeFraDato", "")
    return case.debtor.id in ids and period[:7] == case.period_from.isoformat()[:7]


def _haeftelser(struct: dict[str, Any]) -> list[dict[str, Any]]:
    return (struct.get("FordringHæftelseSamling") or {}).get("MFHæftelseStruktur") or []


def _psrm_principal(obs: Observation, claim: dict[str, Any]) -> Decimal:
    """A PSRM claim's principal as the claimant now says it is: as received, less its REGU write-downs,
    plus its write-ups (a REGU corrects what was owed; a payment, INDB, does not)."""
    principal = Decimal(claim["hovedstol_oere"]) / 100
    for action in obs.psrm_actions:
        if action["MFAktionStatusKode"] != "UDFOERT":
            continue
        name, struct = next(iter(action["Anmodning"]["AktionValg"].items()))
        if str(struct.get("DMIFordringEFIFordringID")) != str(claim["id"]):
            continue
        reason = (struct.get("NedskrivningÅrsagStruktur") or {}).get("FordringNedskrivningÅrsagKode")
        if name == "MFNedskrivFordringStruktur" and reason == "REGU":
            principal -= Decimal(str(struct["NedskrivningBeløbStruktur"]["FordringNedskrivningBeløb"]))
        elif name == "MFOpskrivningReguleringStruktur":
            principal += Decimal(str(struct["OpskrivningBeløbStruktur"]["FordringOpskrivningBeløb"]))
    return _kr(principal)


def _kompleks_owed(obs: Observation, claim: dict[str, Any]) -> Decimal:
    """What is owed on a PSRM claim's principal: its balance and that of its write-up claims, which form one
    fordringskompleks with it (psrm.md §6.2: an opskrivningsfordring shares the claim's stamdata and id)."""
    parts = [c for c in obs.state["psrm"].get("claims", []) if c.get("kind") == "OPSKRIVNING"]
    oere = claim["saldo_oere"] + sum(c["saldo_oere"] for c in parts if c.get("kompleks_id") == claim["id"])
    return _kr(Decimal(oere) / 100)


def where_now(obs: Observation, case: BillingCase) -> tuple[str, Decimal, Decimal] | None:
    """(collection, principal, owed on the principal) of the case's claim where it lives now, or None."""
    at_psrm = psrm_claims(obs, case)
    if at_psrm:
        claim = max(at_psrm, key=lambda c: c["id"])  # a re-submitted claim is the newest
        if claim["status"] == "TILBAGEKALDT":
            collection = "ended" if claim.get("recall_reason") == "FEJL" else "paused"
        else:
            collection = PSRM_COLLECTION.get(claim["status"], claim["status"].lower())
        return collection, _psrm_principal(obs, claim), _kompleks_owed(obs, claim)
    claims = debitor_claims(obs, case)
    if not claims:
        return None
    claim = claims[-1]  # several live claims for one case are counted by `claim_after_events`
    owed = sum(
        (_kr(p["SaldoBeløb"]) for p in claim.get("Delfordring", []) if p["Type"] == "HOVEDSTOL"),
        Decimal("0.00"),
    )
    collection = COLLECTION.get(claim["FordringTilstand"], claim["FordringTilstand"].lower())
    return collection, _kr(claim.get("HovedstolBeløb", 0)), owed


@check(
    "CERT-BOOKET-ANTAL",
    "CERT-FORDRING-EKSTRA",
    "CERT-LIVSFORLOEB-HOVEDSTOL",
    "CERT-LIVSFORLOEB-RESTANCE",
    "CERT-LIVSFORLOEB-TILSTAND",
)
def claim_after_events(obs: Observation, argument: Any) -> list[Failure]:
    """The case's claim, where it lives now, has the case's amount as its principal, the amount still owed
    (default: all of it) and the collection state the events call for (active, paused, ended, handed_over)."""
    index = int(argument["case"]) - 1
    case = obs.cases[index]
    principal = case.amount if argument.get("principal") is None else _kr(argument["principal"])
    owed = principal if argument.get("owed") is None else _kr(argument["owed"])
    wanted = {"collection": argument.get("collection", "active"), "principal": principal, "owed": owed}
    sent = obs.claims_of(case)
    extra = [c for c in sent[1:] if not _same_claim(c, sent[0])]
    if extra:  # another claim sent with the case's own (e.g. a fee as a main claim): not the case's claim
        return [extra_claims("claim_after_events", case.case_id, sent, extra)]
    live = [c for c in debitor_claims(obs, case) if c["FordringTilstand"] != "ANNULLERET"]
    if len(live) > 1:  # e.g. a new fordring instead of a correction of the registered one
        refs = ", ".join(c["FordringReference"] for c in live)
        params = {"case": case.case_id, "refs": refs}
        return [
            _harness_failure("claim_after_events", "CERT-BOOKET-ANTAL", "$.Fordring", 1, len(live), params)
        ]
    found = where_now(obs, case)
    if found is None:
        return [_fact("collection", wanted["collection"], "no claim", case)]
    actual = dict(zip(("collection", "principal", "owed"), found, strict=True))
    return [_fact(k, v, actual[k], case) for k, v in wanted.items() if actual[k] != v]


def _fact(what: str, expected: Any, actual: Any, case: BillingCase) -> Failure:
    code = {
        "principal": "CERT-LIVSFORLOEB-HOVEDSTOL",
        "owed": "CERT-LIVSFORLOEB-RESTANCE",
        "collection": "CERT-LIVSFORLOEB-TILSTAND",
    }[what]
    return _harness_failure(
        "claim_after_events", code, f"$.{what}", str(expected), str(actual), {"case": case.case_id}
    )


@check("CERT-MEDHAEFTER-MANGLER")
def co_debtors_liable(obs: Observation, _: Any) -> list[Failure]:
    """Every debtor of each billed case, co-debtors included, is liable on the case's claim."""
    failures = []
    for case in obs.billed:
        liable = _liable(obs, case)
        roles = [("skyldner", case.debtor), *((c.relation, c.party) for c in case.co_debtors)]
        for role, party in roles:
            if party.id not in liable:
                shown = mask_cpr(", ".join(sorted(liable))) or "nobody"  # personal data: CPR masked
                params = {"case": case.case_id, "party": role}
                failures.append(
                    _harness_failure(
                        "co_debtors_liable",
                        "CERT-MEDHAEFTER-MANGLER",
                        "$.Hæftelse",
                        mask_cpr(party.id),
                        shown,
                        params,
                    )
                )
    return failures


def _liable(obs: Observation, case: BillingCase) -> set[str]:
    for action in obs.psrm_actions:
        _, struct = next(iter(action["Anmodning"]["AktionValg"].items()))
        main = struct.get("MFOpretFordringStruktur")
        if isinstance(main, dict) and _concerns(main, case) and action["MFAktionStatusKode"] != "AFVIST":
            return {next(iter(h["MFKundeStruktur"]["Valg"].values())) for h in _haeftelser(main)}
    claims = debitor_claims(obs, case)
    return (
        {h["PartID"] for h in claims[-1].get("Hæftelse", []) if "GyldigTilDato" not in h} if claims else set()
    )


@check("CERT-UDBETALING-ANTAL")
def payouts_made(obs: Observation, argument: Any) -> list[Failure]:
    """NemKonto accepted as many payouts to the case's party as the scenario made (each a payment of its
    own, none refused)."""
    index = int(argument["case"]) - 1
    case = obs.cases[index]
    wanted = int(argument["count"])
    ids = {case.debtor.id, case.debtor.se}
    payments = (obs.state.get("nemkonto") or {}).get("betalinger", [])
    accepted = [
        p for p in payments if p["Modtager"]["Nummer"] in ids and p.get("Status") not in ("AFVIST", None)
    ]
    if len(accepted) == wanted:
        return []
    return [
        _harness_failure(
            "payouts_made",
            "CERT-UDBETALING-ANTAL",
            "$.PaymentTransaction",
            wanted,
            len(accepted),
            {"case": case.case_id},
        )
    ]


@check("CERT-HOERING-UBESVARET")
def hearing_answered(obs: Observation, _: Any) -> list[Failure]:
    """No claim of the fagsystem waits in PSRM's hearing for the claimant's answer."""
    failures = []
    for action in obs.psrm_actions:
        if action.get("HoeringStatus") == "AFVENTER_FORDRINGSHAVER":
            failures.append(
                _harness_failure(
                    "hearing_answered",
                    "CERT-HOERING-UBESVARET",
                    "$.HoeringSvar",
                    "GODKEND / TILBAGETRAEK",
                    "no answer",
                    {"ref": action.get("DMIFordringFordringHaverRef") or action["MFAktionID"]},
                )
            )
    return failures
