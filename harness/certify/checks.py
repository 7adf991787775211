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
from testkommune.harness.certify.timeline import handover_window

CheckFunc = Callable[[Observation, Any], list[Failure]]

# Catalogue areas (the `area` of contracts/reference/fejlkoder/*.json) whose codes a check passes on when it
# names a counterpart's own refusal (`_from_error`), by what the check reads.
SHELL_REFUSALS = ("generelle", "identitet", "soap")  # what any counterpart's HTTP/SOAP shell may answer
OIR_REFUSALS = (
    "oir",
    "debitor",
    "psrm",
    *SHELL_REFUSALS,
)  # the debitor system runs PSRM's stamdata rules too
PSRM_REFUSALS = ("psrm", *SHELL_REFUSALS)
# ERP and NemKonto deliveries come through the ØiR hub (its TransaktionsID rule included)
ERP_REFUSALS = ("erp", "klassifikation", "oir", *SHELL_REFUSALS)
NEMKONTO_REFUSALS = ("nemkonto", "debitor", "oir", *SHELL_REFUSALS)
INVARIANT_VIOLATIONS = ("invarianter",)


@dataclass(frozen=True, slots=True)
class Check:
    """A named check, the codes it raises itself and the catalogue areas whose codes it passes on."""

    name: str
    doc: str
    func: CheckFunc
    own_codes: tuple[str, ...] = ()
    relays: tuple[str, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        """Every catalogue code the check may raise: its own, and each code of the areas it relays."""
        relayed = {entry.code for entry in error_catalogue() if entry.area in self.relays}
        return tuple(sorted({*self.own_codes, *relayed}))

    def __call__(self, obs: Observation, argument: Any) -> list[Failure]:
        return self.func(obs, argument)


@cache
def service_types() -> dict[str, tuple[str, ...]]:
    """The fordringstyper fit for each service a suite bills (contracts/reference/ydelser.json)."""
    return {k: tuple(v["fordringstyper"]) for k, v in load_reference("ydelser.json")["ydelser"].items()}


def check(*codes: str, relays: tuple[str, ...] = ()) -> Callable[[CheckFunc], Check]:
    """Decorator: make a function a check named after it, raising `codes` and passing on the codes of the
    catalogue areas in `relays`. It only marks: the check runs once it is listed in
    `harness/certify/registry.py`."""
    if not all(isinstance(code, str) for code in codes):  # a bare `@check`: the codes were left out
        raise TypeError('a check declares the codes it raises: @check("CERT-…", relays=…)')

    def mark(func: CheckFunc) -> Check:
        doc = next(iter((func.__doc__ or "").strip().splitlines()), "")
        return Check(func.__name__, doc, func, codes, relays)

    return mark


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


@check(relays=OIR_REFUSALS)
def oir_accepted(obs: Observation, _: Any) -> list[Failure]:
    """Every delivery the fagsystem made to ØiR was accepted (contract and debitor system's rules)."""
    failures = []
    for entry in obs.journal:
        if entry["counterpart"] != "oir" or entry["operation"] == "HentDebitorkonto":
            continue
        answer = obs.response_of(entry)
        if isinstance(answer, dict) and (answer.get("Kvittering") or {}).get("Genfremsendt"):
            continue  # a re-delivery's stored answer: the original exchange is judged already
        for error in obs.refusals(entry):
            failures.append(
                _from_error("oir_accepted", error, expected="GODKENDT", reproduce=obs.curl(entry))
            )
    return failures


def _same_claim(one: dict[str, Any], other: dict[str, Any]) -> bool:
    """Do two booked claims carry the same amount and period (a duplicate, not another claim)?"""
    keys = ("HovedstolBeløb", "PeriodeFraDato", "PeriodeTilDato")
    return all(one["Data"].get(k) == other["Data"].get(k) for k in keys)


@check("CERT-BOOKET-ANTAL", "CERT-FORDRING-EKSTRA")
def booked_once(obs: Observation, _: Any) -> list[Failure]:
    """Each billed case is booked once in the debitor system: no duplicate, no extra claim, none lost."""
    failures = []
    for case in obs.billed:
        found = obs.claims_of(case)
        if not found and obs.refused("OpretDebitorkonto"):
            continue  # refused by ØiR: oir_accepted names the reason
        duplicates = [c for c in found[1:] if _same_claim(c, found[0])]
        extra = [c for c in found[1:] if not _same_claim(c, found[0])]
        if not found or duplicates:
            shown = [found[0], *duplicates] if found else []
            failures.append(
                _harness_failure(
                    "booked_once",
                    "CERT-BOOKET-ANTAL",
                    "$.OpretDebitorkonto.Fordring",
                    1,
                    len(shown),
                    {"case": case.case_id, "refs": ", ".join(c["FordringReference"] for c in shown)},
                )
            )
        if extra:
            failures.append(extra_claims("booked_once", case.case_id, found, extra))
    return failures


def extra_claims(
    name: str, case_id: str, found: list[dict[str, Any]], extra: list[dict[str, Any]]
) -> Failure:
    """A case that has claims besides its own main claim (e.g. interest sent as a main claim)."""
    refs = ", ".join(f"{c['FordringReference']} ({c['Data'].get('HovedstolBeløb')} kr)" for c in extra)
    return _harness_failure(
        name,
        "CERT-FORDRING-EKSTRA",
        f"$.OpretDebitorkonto.Fordring (FordringReference {extra[0]['FordringReference']})",
        1,
        len(found),
        {"case": case_id, "refs": refs},
    )


@check("CERT-STAMDATA-AFVIGER", "CERT-FORKERT-FORDRINGSTYPE")
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


@check(relays=PSRM_REFUSALS)
def psrm_no_rejections(obs: Observation, _: Any) -> list[Failure]:
    """PSRM rejected nothing the kommune handed over for this fagsystem."""
    failures = []
    for action in obs.psrm_actions:
        for error in action.get("AfvistÅrsagSamling", []) if action["MFAktionStatusKode"] == "AFVIST" else []:
            failures.append(_from_error("psrm_no_rejections", error, expected="UDFOERT", reproduce=None))
    return failures


def created_claim(action: dict[str, Any]) -> dict[str, Any] | None:
    """The MFOpretFordringStruktur of a PSRM action that creates a claim (opret or genindsend), else None."""
    choice = (action.get("Anmodning") or {}).get("AktionValg") or {}
    for name in ("OpretFordringAktion", "MFGenindsendFordringStruktur"):
        struct = (choice.get(name) or {}).get("MFOpretFordringStruktur")
        if isinstance(struct, dict):
            return struct
    return None


@check("PSRM-SRB")
def handover_after_srb(obs: Observation, _: Any) -> list[Failure]:
    """No claim reached PSRM before its sidste rettidige betalingsdato had passed."""
    failures = []
    for action in obs.psrm_actions:
        struct = created_claim(action)
        if struct is None:
            continue  # a write-down, recall or other action on an existing claim: no SRB of its own
        srb = struct.get("DMIFordringSRBDato")
        received = str(action.get("DMIFordringModtagelseDato") or "")[:10]
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


@check("CERT-PSRM-STATUS", "CERT-IKKE-OVERDRAGET", relays=OIR_REFUSALS)
def psrm_status(obs: Observation, expected: Any) -> list[Failure]:
    """Each billed case's claim ended at PSRM with the expected status (default UDFOERT) and an id; a claim
    never asked handed over is named so, with the end of the profile's window for it."""
    wanted = expected if isinstance(expected, str) else "UDFOERT"
    failures = []
    for case in obs.billed:
        claims = obs.claims_of(case)
        psrm = (claims[0].get("PSRM") or {}) if claims else {}
        status, fordring_id = psrm.get("MFAktionStatusKode"), psrm.get("DMIFordringEFIFordringID")
        if status == wanted and (wanted != "UDFOERT" or fordring_id):
            continue
        unpaid = claims and claims[0].get("SaldoBeløb", 1) != 0
        if unpaid and status is None and not _asked_handover(obs, claims[0]["FordringReference"]):
            failures.append(_never_handed_over(obs, case.case_id, claims[0]))
            continue
        if not claims and obs.refused("OpretDebitorkonto"):
            failures.extend(_refusals_of("psrm_status", obs, "OpretDebitorkonto"))
            continue  # never booked: ØiR's refusal is the cause
        shown = status or ("not booked in the debitor system" if not claims else "not handed over")
        failures.append(
            _harness_failure(
                "psrm_status",
                "CERT-PSRM-STATUS",
                "$.PSRM.MFAktionStatusKode",
                wanted,
                shown,
                {"case": case.case_id},
            )
        )
        failures.extend(_psrm_reasons(obs, psrm.get("MFAktionID"), wanted))
    return failures


def _psrm_reasons(obs: Observation, aktion_id: str | None, wanted: str) -> list[Failure]:
    """Why PSRM refused the hand-over or holds it for hearing: each reason with its own code."""
    action = next((a for a in obs.psrm_actions if aktion_id and a.get("MFAktionID") == aktion_id), {})
    reasons = [*(action.get("AfvistÅrsagSamling") or []), *(action.get("HoeringÅrsagSamling") or [])]
    return [_from_error("psrm_status", r, expected=wanted, reproduce=None) for r in reasons if r.get("code")]


def _refusals_of(name: str, obs: Observation, operation: str) -> list[Failure]:
    """Each distinct refusal of `operation` in the journal, as a failure of check `name`."""
    seen: dict[str, Failure] = {}
    for entry in obs.exchanges(operation):
        for error in obs.refusals(entry):
            key = f"{error['code']} {error.get('path', '')}"
            if key not in seen:
                seen[key] = _from_error(name, error, expected="GODKENDT", reproduce=obs.curl(entry))
    return list(seen.values())


def _asked_handover(obs: Observation, reference: str) -> bool:
    """Did the fagsystem ask for this claim's hand-over (RetFordringTilstand naming its reference)?"""
    return any(f'"{reference}"' in (e.get("request") or "") for e in obs.exchanges("RetFordringTilstand"))


def _never_handed_over(obs: Observation, case_id: str, claim: dict[str, Any]) -> Failure:
    profile = (obs.state.get("debitor_system") or {}).get("profil") or {}
    window = handover_window(claim["Data"], profile) if profile else None
    due = window[1].isoformat() if window else "?"
    ref = claim["FordringReference"]
    return _harness_failure(
        "psrm_status",
        "CERT-IKKE-OVERDRAGET",
        f"$.RetFordringTilstand (FordringReference {ref})",
        f"OVERDRAG_TIL_INDDRIVELSE by {due}",
        "never asked",
        {"case": case_id, "ref": ref, "due": due, "profil": profile.get("id", "?")},
    )


CHECK_ERROR = "CERT-KONTROL-FEJL"


def check_error(name: str, exc: Exception) -> Failure:
    """A check that raised: an ERROR result naming the check and the exception, never a traceback."""
    detail = f"{type(exc).__name__}: {exc}"
    return _harness_failure(name, CHECK_ERROR, "-", "a verdict", detail, {"check": name, "detail": detail})
