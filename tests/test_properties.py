"""Domain properties, checked by Hypothesis against an in-process test kommune.

A refused message books nothing (a rule's refusal keeps only its answer, for replay), a replayed message
changes nothing, and money is conserved in PSRM's ledger."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testkommune.harness.inprocess import InProcessKommune

from tests.messages import OIR_B01, fordring, opret, psrm_leverance
from tests.test_contracts import WRONG_VALUES, _apply, _mutations

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def kommune():
    with InProcessKommune() as running:
        yield running


def _tenant(kommune) -> tuple[dict[str, str], str]:
    system = f"p-{uuid.uuid4().hex[:10]}"
    admin = f"{kommune.base_url}/admin/tenants/851/{system}"
    requests.post(f"{admin}/clock", json={"set": "2026-09-20"}, timeout=5)
    return {"X-TK-Kommune": "851", "X-TK-Anvendersystem": system}, admin


def _booked(admin: str) -> dict[str, Any]:
    """What the counterparts hold (the journal, which records every attempt, is left out)."""
    state = requests.get(f"{admin}/state", timeout=5).json()
    return {"debitor": state["debitor"], "psrm": state["psrm"], "oir": state["oir"]}


@SETTINGS
@given(data=st.data())
def test_a_refused_message_changes_no_state(kommune, data):
    headers, admin = _tenant(kommune)
    requests.post(
        f"{kommune.base_url}{OIR_B01}/OpretDebitorkonto",
        json=opret(fordring("F0"), account="K0"),
        headers=headers,
        timeout=5,
    )
    before = _booked(admin)
    message = opret(fordring("F1"), account="K1")
    path = data.draw(st.sampled_from(_mutations(message)))
    broken = _apply(message, path, data.draw(st.sampled_from(WRONG_VALUES)))
    answer = requests.post(
        f"{kommune.base_url}{OIR_B01}/OpretDebitorkonto", json=broken, headers=headers, timeout=5
    )
    body = answer.json()
    after = _booked(admin)
    assert answer.status_code < 500
    if answer.status_code >= 400:  # refused by the contract: nothing at all is kept
        assert after == before, (path, body)
    elif body["Forretningskvittering"]["Status"] == "AFVIST":  # refused by a rule: only the answer is kept
        assert (after["debitor"], after["psrm"]) == (before["debitor"], before["psrm"]), (path, body)
        assert len(after["oir"]["deliveries"]) == len(before["oir"]["deliveries"]) + 1


@SETTINGS
@given(
    amount=st.decimals(min_value=1, max_value=99999, places=2), months=st.integers(min_value=1, max_value=12)
)
def test_a_replayed_message_changes_nothing(kommune, amount, months):
    headers, admin = _tenant(kommune)
    message = opret(
        fordring(
            "F1",
            HovedstolBeløb=float(amount),
            PeriodeTilDato=f"2026-{months:02d}-28",
            PeriodeFraDato=f"2026-{months:02d}-01",
        )
    )
    first = requests.post(
        f"{kommune.base_url}{OIR_B01}/OpretDebitorkonto", json=message, headers=headers, timeout=5
    )
    after_first = _booked(admin)
    again = requests.post(
        f"{kommune.base_url}{OIR_B01}/OpretDebitorkonto", json=message, headers=headers, timeout=5
    )
    assert _booked(admin) == after_first
    assert again.json()["Forretningskvittering"] == first.json()["Forretningskvittering"]


@SETTINGS
@given(
    payments=st.lists(st.integers(min_value=1, max_value=150000), min_size=1, max_size=6),
    write_down=st.integers(min_value=0, max_value=50000),
)
def test_money_is_conserved_in_psrms_ledger(kommune, payments, write_down):
    headers, admin = _tenant(kommune)
    psrm = f"{kommune.base_url}/psrm"
    requests.post(f"{psrm}/MFFordringIndberet", json=psrm_leverance("L1", "A1"), headers=headers, timeout=5)
    receipt = requests.post(
        f"{psrm}/MFKvitteringHent", json={"MFLeveranceID": "L1"}, headers=headers, timeout=5
    )
    claim = receipt.json()["FordringAktionStatusSamling"]["MFAktionStruktur"][0]["DMIFordringEFIFordringID"]
    requests.post(f"{admin}/clock", json={"set": "2026-11-02"}, timeout=5)
    if write_down:
        down = psrm_leverance("L2", "A2")
        down["FordringAktionSamling"]["FordringAktion"][0] |= {
            "MFAktionKode": "NEDSKRIV",
            "AktionValg": {
                "MFNedskrivFordringStruktur": {
                    "DMIFordringEFIFordringID": claim,
                    "MFAktionID": "A2",
                    "NedskrivningBeløbStruktur": {
                        "ValutaKode": "DKK",
                        "FordringNedskrivningBeløb": write_down / 100,
                    },
                    "NedskrivningÅrsagStruktur": {"FordringNedskrivningÅrsagKode": "REGU"},
                }
            },
        }
        requests.post(f"{psrm}/MFFordringIndberet", json=down, headers=headers, timeout=5)
    for i, oere in enumerate(payments):
        requests.post(
            f"{admin}/psrm/indbetalinger",
            json={"SkyldnerID": "1111111118", "Beløb": oere / 100, "BetalingDato": f"2026-11-0{2 + i % 2}"},
            timeout=5,
        )
    requests.post(f"{admin}/clock", json={"set": "2026-11-04"}, timeout=5)
    paid = requests.get(f"{admin}/psrm/indbetalinger", timeout=5).json()["indbetalinger"]
    covered = sum(c["Beløb"] for p in paid for c in p["Resultat"]["daekninger"])
    surplus = sum(p["Resultat"]["overskud_oere"] for p in paid)
    assert covered + surplus == sum(payments)  # every øre received is covered or returned
    history = requests.get(f"{admin}/psrm/fordringer/{claim}", timeout=5).json()
    principal_covered = sum(
        c["Beløb"] for p in paid for c in p["Resultat"]["daekninger"] if c["Del"] == "hovedstol"
    )
    assert round(history["SaldoBeløb"] * 100) == 100000 - write_down - principal_covered
    assert history["SaldoBeløb"] >= 0 and history["RenteBeløb"] >= 0
    assert json.dumps(history)  # the history stays serialisable whatever happened
