"""Checks found missing by playing the outside team of issue 13 (`scenarios/fagsystemer/varianter_udefra.py`).

`finans_as_masse`: a fagsystem that declares masseleverance (`finans_masse` in its conformance statement) and
is asked for one delivers the bilag together in one masseleverance, not one by one as straksleverancer.
`payment_dated`: a direct payment is registered with the day the debtor paid, not the day it was registered.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from testkommune.harness.certify.checks import _harness_failure, check
from testkommune.harness.certify.checks_finans import ERP_DELIVERIES, _oere, _request, _sums
from testkommune.harness.certify.observation import Observation
from testkommune.harness.certify.results import Failure

MASSE = "ModtagFinansbilagMasse"


def first_deliveries(obs: Observation) -> dict[str, tuple[str, int]]:
    """BilagID → (the operation that first delivered it, the debet sum of that bilag in øre)."""
    first: dict[str, tuple[str, int]] = {}
    for entry in obs.journal:
        if entry["operation"] not in ERP_DELIVERIES:
            continue
        bilag = _request(entry).get("Finansbilag")
        for one in bilag if isinstance(bilag, list) else [bilag]:
            if isinstance(one, dict) and isinstance(one.get("BilagID"), str):
                first.setdefault(one["BilagID"], (entry["operation"], _sums(one)[0]))
    return first


@check("CERT-FINANS-MASSE")
def finans_as_masse(obs: Observation, _: Any) -> list[Failure]:
    """Asked for one masseleverance, the fagsystem first delivered every billed case's finansbilag in a
    masseleverance (a later correction may go straks), not one by one."""
    first = first_deliveries(obs)
    failures = []
    for case in obs.billed:
        wanted = _oere(case.amount)
        operations = sorted({op for op, debet in first.values() if debet == wanted})
        if not operations or MASSE in operations:
            continue  # nothing delivered for it: finans_booked names that
        failures.append(
            _harness_failure(
                "finans_as_masse",
                "CERT-FINANS-MASSE",
                "$.ModtagFinansbilagMasse",
                MASSE,
                ", ".join(operations),
                {"case": case.case_id},
            )
        )
    return failures


def _payment_dates(request: Any) -> list[tuple[str, str | None]]:
    """(which message, the payment date it carries) for each payment the request registers: ØiR's
    ForetagIndbetaling (BetalingDato) and PSRM's INDB write-down (its virkningsdato), wherever it sits."""
    found: list[tuple[str, str | None]] = []
    if isinstance(request, dict):
        payment = request.get("ForetagIndbetaling")
        if isinstance(payment, dict):
            found.append(("ForetagIndbetaling.BetalingDato", payment.get("BetalingDato")))
        aarsag = request.get("NedskrivningÅrsagStruktur")
        if isinstance(aarsag, dict) and aarsag.get("FordringNedskrivningÅrsagKode") == "INDB":  # soap.md §1
            found.append(
                (
                    "NEDSKRIV INDB FordringNedskrivningVirkningFra",
                    request.get("FordringNedskrivningVirkningFra"),
                )
            )
        elif request.get("FordringNedskrivningAarsagKode") == "INDB":  # the old JSON shape (one release)
            dated = [v for k, v in request.items() if "VirkningDato" in k and isinstance(v, str)]
            found.append(("NEDSKRIV INDB VirkningDato", dated[0] if dated else None))
        for value in request.values():
            found.extend(_payment_dates(value))
    elif isinstance(request, list):
        for value in request:
            found.extend(_payment_dates(value))
    return found


@check("CERT-BETALINGSDATO")
def payment_dated(obs: Observation, argument: Any) -> list[Failure]:
    """A payment the debtor made to the kommune directly is registered with the day it was paid
    (`days_before` the day the fagsystem heard of it and sent it), not the day it was registered."""
    days = int((argument or {}).get("days_before", 0))
    failures = []
    for entry in obs.journal:
        if entry.get("status", 500) >= 400:
            continue  # refused: the refusal is judged by its own check
        sent_on = date.fromisoformat(str(entry["sim_time"])[:10])
        wanted = (sent_on - timedelta(days=days)).isoformat()
        for field, actual in _payment_dates(_request(entry)):
            if actual is None or str(actual)[:10] == wanted:
                continue  # no date at all: the counterpart refuses it with its own code (e.g. PSRM-409)
            failures.append(
                _harness_failure(
                    "payment_dated", "CERT-BETALINGSDATO", f"$.{field}", wanted, actual, {"field": field}
                )
            )
    return failures
