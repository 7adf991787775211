"""Named checks a scenario's `expect` step can use. Each reads an Observation and returns Failures.

A check never re-states a rule's text: when the test kommune refused something, the failure carries
the refusal's own code, path, texts and fix from the error catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from testkommune.contracts.catalogue import error_catalogue
from testkommune.contracts.model import BillingCase
from testkommune.contracts.schemas import load_reference
from testkommune.harness.certify.observation import Observation
from testkommune.harness.certify.results import Failure

CheckFunc = Callable[[Observation, Any], list[Failure]]


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    doc: str
    func: CheckFunc


CHECKS: dict[str, Check] = {}


@cache
def service_types() -> dict[str, tuple[str, ...]]:
    """The fordringstyper fit for each service a suite bills (contracts/reference/ydelser.json)."""
    return {k: tuple(v["fordringstyper"]) for k, v in load_reference("ydelser.json")["ydelser"].items()}


def check(func: CheckFunc) -> CheckFunc:
    """Register a check under its function name."""
    CHECKS[func.__name__] = Check(func.__name__, (func.__doc__ or "").strip().splitlines()[0], func)
    return func


def _from_error(name: str, error: dict[str, Any], *, expected: Any, reproduce: str | None) -> Failure:
    """A refusal by a counterpart, as a failure: its own code, path, texts and fix."""
    shown = f" ({error['value']})" if error.get("value") not in (None, "") else ""
    return Failure(
        check=name,
        code=error["code"],
        field=error.get("path", "$"),
        expected=expected,
        actual=f"AFVIST: {error['code']}{shown}",
        text_da=error.get("text_da", ""),
        text_en=error.get("text_en", ""),
        fix_da=error.get("fix_da", ""),
        fix_en=error.get("fix_en", ""),
        source=error.get("source", {}),
        reproduce=reproduce,
    )


def _harness_failure(
    name: str,
    code: str,
    field: str,
    expected: Any,
    actual: Any,
    params: dict[str, Any],
    reproduce: str | None = None,
) -> Failure:
    described = error_catalogue().describe(code, params | {"expected": expected, "actual": actual})
    return Failure(
        check=name,
        code=code,
        field=field,
        expected=expected,
        actual=actual,
        text_da=described["text_da"],
        text_en=described["text_en"],
        fix_da=described["fix_da"],
        fix_en=described["fix_en"],
        source=described["source"],
        reproduce=reproduce,
    )


@check
def oir_accepted(obs: Observation, _: Any) -> list[Failure]:
    """Every delivery the fagsystem made to ØiR was accepted (contract and debitor system's rules)."""
    failures = []
    for entry in obs.journal:
        if entry["counterpart"] != "oir" or entry["operation"] == "HentDebitorkonto":
            continue
        answer = obs.response_of(entry)
        if (answer or {}).get("Kvittering", {}).get("Genfremsendt"):
            continue  # a re-delivery's stored answer: the original exchange is judged already
        if isinstance(answer, dict) and "fault" in answer:
            continue  # an injected fault (error, service window): the rehearsal, not the fagsystem's message
        if entry["status"] >= 400:
            errors = (answer or {}).get("errors", [])
        else:
            errors = (answer or {}).get("Forretningskvittering", {}).get("Fejl", [])
        for error in errors:
            failures.append(
                _from_error("oir_accepted", error, expected="GODKENDT", reproduce=obs.curl(entry))
            )
    return failures


@check
def booked_once(obs: Observation, _: Any) -> list[Failure]:
    """Each billed case is booked exactly once in the debitor system (no duplicates, nothing lost)."""
    failures = []
    for case in obs.billed:
        found = obs.claims_of(case)
        if not found and obs.refused("OpretDebitorkonto"):
            continue  # refused by ØiR: oir_accepted names the reason
        if len(found) != 1:
            failures.append(
                _harness_failure(
                    "booked_once",
                    "CERT-BOOKET-ANTAL",
                    "$.OpretDebitorkonto.Fordring",
                    1,
                    len(found),
                    {"case": case.case_id, "refs": ", ".join(c["FordringReference"] for c in found)},
                )
            )
    return failures


@check
def claim_matches_case(obs: Observation, _: Any) -> list[Failure]:
    """The booked claim carries the case's amount, period and a fordringstype fit for its service."""
    failures = []
    for case in obs.billed:
        for claim in obs.claims_of(case)[:1]:
            failures.extend(_compare(case, claim))
    return failures


def _amount(value: Any) -> Any:
    """An amount as an exact Decimal when it is a number; anything else is compared as it is."""
    return Decimal(str(value)) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _compare(case: BillingCase, claim: dict[str, Any]) -> list[Failure]:
    data = claim["Data"]
    out = []
    wanted = {
        "HovedstolBeløb": (Decimal(case.amount), _amount(data.get("HovedstolBeløb"))),
        "PeriodeFraDato": (case.period_from.isoformat(), data.get("PeriodeFraDato")),
        "PeriodeTilDato": (case.period_to.isoformat(), data.get("PeriodeTilDato")),
    }
    for name, (expected, actual) in wanted.items():
        if expected != actual:
            out.append(
                _harness_failure(
                    "claim_matches_case",
                    "CERT-STAMDATA-AFVIGER",
                    f"$.OpretDebitorkonto.Fordring[].{name}",
                    str(expected),
                    str(actual),
                    {"field": name, "case": case.case_id},
                )
            )
    allowed = service_types().get(case.service)
    if allowed and data.get("FordringstypeKode") not in allowed:
        out.append(
            _harness_failure(
                "claim_matches_case",
                "CERT-FORKERT-FORDRINGSTYPE",
                "$.OpretDebitorkonto.Fordring[].FordringstypeKode",
                " / ".join(allowed),
                data.get("FordringstypeKode"),
                {"service": case.service},
            )
        )
    return out


@check
def psrm_no_rejections(obs: Observation, _: Any) -> list[Failure]:
    """PSRM rejected nothing the kommune handed over for this fagsystem."""
    failures = []
    for action in obs.psrm_actions:
        for error in action.get("AfvistÅrsagSamling", []) if action["MFAktionStatusKode"] == "AFVIST" else []:
            failures.append(_from_error("psrm_no_rejections", error, expected="UDFOERT", reproduce=None))
    return failures


@check
def handover_after_srb(obs: Observation, _: Any) -> list[Failure]:
    """No claim reached PSRM before its sidste rettidige betalingsdato had passed."""
    failures = []
    for action in obs.psrm_actions:
        struct = action["Anmodning"]["AktionValg"]["OpretFordringAktion"]["MFOpretFordringStruktur"]
        srb = struct.get("DMIFordringSRBDato")
        received = action["DMIFordringModtagelseDato"][:10]
        if srb and received <= srb:
            failures.append(
                _harness_failure(
                    "handover_after_srb",
                    "PSRM-SRB",
                    f"$.RetFordringTilstand (FordringReference {struct['DMIFordringFordringHaverRef']})",
                    f"> {srb}",
                    received,
                    {"value": srb, "today": received},
                )
            )
    return failures


@check
def psrm_status(obs: Observation, expected: Any) -> list[Failure]:
    """Each billed case's claim ended at PSRM with the expected status (default UDFOERT) and an id."""
    wanted = expected if isinstance(expected, str) else "UDFOERT"
    failures = []
    for case in obs.billed:
        claims = obs.claims_of(case)
        status = claims[0].get("PSRM", {}).get("MFAktionStatusKode") if claims else None
        fordring_id = claims[0].get("PSRM", {}).get("DMIFordringEFIFordringID") if claims else None
        if status != wanted or (wanted == "UDFOERT" and not fordring_id):
            failures.append(
                _harness_failure(
                    "psrm_status",
                    "CERT-PSRM-STATUS",
                    "$.PSRM.MFAktionStatusKode",
                    wanted,
                    status or "not handed over",
                    {"case": case.case_id},
                )
            )
    return failures


def evaluate(expectations: list[Any], observation: Observation) -> list[Failure]:
    """Apply a step's expectations (check names, or {name: argument}) to what was observed."""
    failures: list[Failure] = []
    for expectation in expectations:
        name, argument = (
            (expectation, None) if isinstance(expectation, str) else next(iter(expectation.items()))
        )
        failures.extend(CHECKS[name].func(observation, argument))
    return failures


# Checks of further areas register themselves in CHECKS when imported.
from testkommune.harness.certify import (  # noqa: E402, F401
    checks_debitor,
    checks_finans,
    checks_livsforloeb,
    checks_robusthed,
)
