"""Money freed by a FEJL recall is covered again ('gendækning'), over real HTTP against PSRM.

Sources: gældsinddrivelsesloven § 4 stk. 5-7 and Den juridiske vejledning G.A.2.3.4.1 'Overskydende beløb i
PSRM' (https://tax.dk/jv/ga/G_A_2_3_4_1.htm, DJV 2024-2): an overskydende beløb that arises when the hand-over
of a covered claim is annulled is used to cover the debtor's other claims under inddrivelse in the coverage
order of GIL § 4 stk. 1-4, without a modregningsmeddelelse; not so when it stems from a set-off (GIL § 4
stk. 6, 1. pkt.). With nothing left to cover, it is held in the korrektionspulje (its payout is not modelled).
"""

from __future__ import annotations

from typing import Any

import requests

from tests import psrm_actions as act
from tests.test_psrm_collection import _history, _notes, _pay
from tests.test_psrm_lifecycle import _claim, _one


def _payment(api) -> dict[str, Any]:
    payments = requests.get(f"{api.admin_path}/psrm/indbetalinger", timeout=30).json()["indbetalinger"]
    assert len(payments) == 1, payments
    return payments[0]["Resultat"]


def _two_claims_one_paid(api, source: str = "INDBETALING") -> tuple[str, str]:
    """Claim 1 (received 2026-09-20) and claim 2 (2026-09-25) of one debtor; 300 kr paid on 2026-10-11
    covers claim 1 only (oldest receipt first, GIL § 4 stk. 2); claim 1 is then recalled with FEJL."""
    first = _claim(api, "A1")
    api.clock(set="2026-09-25")
    second = _claim(api, "A2")
    api.clock(set="2026-10-11")
    assert _pay(api, 300.0, "2026-10-11", source=source).status_code == 201
    assert {c["FordringID"] for c in _payment(api)["daekninger"]} == {first}
    api.clock(set="2026-10-12")
    assert _one(api, act.tilbagekald(first, "FEJL", None))["MFAktionStatusKode"] == "UDFOERT"
    return first, second


def test_money_freed_by_a_fejl_recall_covers_the_debtors_other_claim(api):
    """GIL § 4 stk. 5; JV G.A.2.3.4.1 (Gendækning): the 300 kr no longer covering the recalled claim cover
    the debtor's other claim under inddrivelse, interest before principal (GIL § 4 stk. 2)."""
    first, second = _two_claims_one_paid(api)
    result = _payment(api)
    again = result["gendaekninger"]
    assert {c["FordringID"] for c in again} == {second}
    assert sum(c["Beløb"] for c in again) == 30000 and result["korrektionspulje_oere"] == 0
    assert again[0]["Del"] == "rente"  # interest before its principal
    principal = sum(c["Beløb"] for c in again if c["Del"] == "hovedstol")
    assert _history(api, second)["SaldoBeløb"] == 1000.0 - principal / 100
    covered = [e for e in _history(api, second)["Hændelser"] if e["Type"] == "DAEKNING"]
    assert [e["Virkningsdato"] for e in covered] == ["2026-10-12"]  # on the day of the recall [I]
    assert _history(api, first)["Status"] == "TILBAGEKALDT"


def test_the_afregning_nets_the_reversal_against_what_was_covered_again(api):
    """psrm.md §6.3 (negative settlement netted) with GIL § 4 stk. 5: the claimant is paid the 300 kr once,
    on the other claim: +300 (paid) − 300 (reversed) + 300 (covered again)."""
    _first, second = _two_claims_one_paid(api)
    api.clock(set="2026-11-02")
    settlement = next(n for n in _notes(api, "2026-10-01", "2026-11-02", "AFREGNING"))
    assert settlement["AfregningBeløb"] == 300.0
    again = [line for line in settlement["AfregningLinje"] if line.get("Gendækning")]
    assert {line["FordringID"] for line in again} == {second}


def test_with_no_other_claim_the_freed_money_is_held_in_the_korrektionspulje(api):
    """GIL § 4 stk. 7; JV G.A.2.3.4.1: nothing left under inddrivelse to cover, the amount is held."""
    claim = _claim(api, "A1")
    api.clock(set="2026-10-11")
    _pay(api, 100.0, "2026-10-11")
    api.clock(set="2026-10-12")
    _one(api, act.tilbagekald(claim, "FEJL", None))
    result = _payment(api)
    assert result["gendaekninger"] == [] and result["korrektionspulje_oere"] == 10000


def test_money_from_a_set_off_is_not_covered_again(api):
    """GIL § 4 stk. 6, 1. pkt.; JV G.A.2.3.4.1 ('Situationer hvor der ikke sker gendækning'): an amount that
    stems from a set-off goes to the korrektionspulje even though another claim is open."""
    _first, second = _two_claims_one_paid(api, source="MODREGNING")
    result = _payment(api)
    assert result["gendaekninger"] == [] and result["korrektionspulje_oere"] == 30000
    assert _history(api, second)["SaldoBeløb"] == 1000.0


def test_a_hens_recall_frees_nothing(api):
    """psrm.md §6.3: HENS keeps its coverings, so nothing is covered again (a lawful contrast)."""
    first = _claim(api, "A1")
    api.clock(set="2026-09-25")
    _claim(api, "A2")
    api.clock(set="2026-10-11")
    _pay(api, 300.0, "2026-10-11")
    api.clock(set="2026-10-12")
    _one(api, act.tilbagekald(first, "HENS"))
    assert "gendaekninger" not in _payment(api)
