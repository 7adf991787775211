"""An earmarked payment covers its claim first, over real HTTP against PSRM.

Source: gaeldst.dk, Dækningsrækkefølge (https://www.gaeldst.dk/fordringshaver/vejledninger/daekningsraekkefoelge/):
within a category claims are covered in the order received, interest before principal, and the order 'kan
fraviges, hvis Gældsstyrelsen giver tilladelse hertil, eller hvis der for eksempel sker en øremærket
indbetaling på et indbetalingskort'; GIL § 4 stk. 11 (JV G.A.2.3.2, skat.dk oid=2366279).
"""

from __future__ import annotations

import requests

from tests.messages import CPR_MOD11
from tests.test_psrm_collection import _history, _pay
from tests.test_psrm_lifecycle import _claim


def _covered(api) -> list[tuple[str, str]]:
    payments = requests.get(f"{api.admin_path}/psrm/indbetalinger", timeout=30).json()["indbetalinger"]
    return [(c["FordringID"], c["Del"]) for c in payments[-1]["Resultat"]["daekninger"]]


def _earmarked(api, amount: float, on: str, claim: str) -> requests.Response:
    body = {"SkyldnerID": CPR_MOD11, "Beløb": amount, "BetalingDato": on}
    return requests.post(
        f"{api.admin_path}/psrm/indbetalinger", json=body | {"FordringID": claim}, timeout=30
    )


def test_an_earmarked_payment_covers_its_claim_before_an_older_one(api):
    older = _claim(api, "A1")
    api.clock(set="2026-09-25")
    newer = _claim(api, "A2")
    api.clock(set="2026-10-11")
    assert _earmarked(api, 300.0, "2026-10-11", newer).status_code == 201
    assert {claim for claim, _ in _covered(api)} == {newer}
    assert _covered(api)[0] == (newer, "rente")  # interest before its principal, still
    assert _history(api, older)["SaldoBeløb"] == 1000.0 and _history(api, newer)["SaldoBeløb"] < 1000.0


def test_without_an_earmark_the_oldest_claim_is_covered_first(api):
    """GIL § 4 stk. 2: the claim received first is covered first (the contrast)."""
    older = _claim(api, "A1")
    api.clock(set="2026-09-25")
    _claim(api, "A2")
    api.clock(set="2026-10-11")
    assert _pay(api, 300.0, "2026-10-11").status_code == 201
    assert {claim for claim, _ in _covered(api)} == {older}


def test_an_earmark_for_an_unknown_claim_is_refused(api):
    _claim(api, "A1")
    body = {"SkyldnerID": CPR_MOD11, "Beløb": 10.0, "BetalingDato": "2026-09-20", "FordringID": "999"}
    response = requests.post(f"{api.admin_path}/psrm/indbetalinger", json=body, timeout=30)
    assert response.status_code == 404 and "PSRM-509" in response.text
