"""Issue 14, findings 3–5: every input in range or refused with a problem; a trailing newline never matches a
contract pattern; another tenant's id answers exactly like an unknown one. Each reproducer is a test."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from tests.conftest import Api
from tests.debitor_messages import answer, b01, b03, claim, debitor, unique_cpr
from tests.erp_messages import STRAKS, modtag
from tests.messages import fordring, opret

HUGE = "99999999999999999999"  # beyond 64 bits
NON_ASCII_DIGITS = ["¹", "①", "١", "１"]  # superscript, circled, Arabic-Indic, fullwidth


def _problem(response: requests.Response, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return response.json()


def test_the_clock_cannot_be_set_outside_the_supported_range(api: Api):
    for far in ("9999-12-31", "0001-01-01", "2201-01-01", "1899-12-31"):
        refused = api.session.post(f"{api.admin_path}/clock", json={"set": far}, timeout=30)
        _problem(refused)
    far_advance = api.session.post(f"{api.admin_path}/clock", json={"advance": "99999d"}, timeout=30)
    _problem(far_advance)
    now = api.session.get(f"{api.admin_path}/clock", timeout=30).json()["now"]
    assert now.startswith("2026-09-20")
    assert api.opret(opret(fordring("F1"), cpr=unique_cpr())).status_code == 200


def test_the_clock_at_either_end_of_its_range_answers_every_call(api: Api):
    for edge in ("1900-01-01", "2199-12-31T23:00:00+00:00"):
        api.clock(set=edge)
        assert api.opret(opret(fordring("F1"), cpr=unique_cpr())).status_code < 500
        assert api.post(STRAKS, modtag()).status_code < 500
        assert api.session.get(f"{api.admin_path}/state", timeout=30).status_code == 200
    api.clock(set="2026-09-20")
    assert api.session.get(f"{api.admin_path}/state", timeout=30).status_code == 200


@pytest.mark.parametrize("value", [HUGE, "-1", *NON_ASCII_DIGITS, "1.5", ""])
def test_the_journal_cursor_is_a_64_bit_ascii_number_or_refused(api: Api, value: str):
    response = api.session.get(f"{api.admin_path}/journal", params={"after": value}, timeout=30)
    _problem(response)
    response = api.session.get(f"{api.admin_path}/journal", params={"limit": value}, timeout=30)
    _problem(response)


@pytest.mark.parametrize("value", [HUGE, *NON_ASCII_DIGITS])
def test_a_claim_id_beyond_64_bits_or_in_other_digits_is_refused_not_claim_1(api: Api, value: str):
    response = api.session.get(f"{api.admin_path}/psrm/fordringer/{value}", timeout=30)
    body = _problem(response)
    assert body["errors"][0]["code"] != "PSRM-509"  # refused as malformed, not looked up


def test_a_trailing_newline_never_matches_a_contract_pattern(api: Api):
    cpr = unique_cpr()
    assert api.opret(opret(fordring("F1"), account="K1", cpr=cpr)).status_code == 200
    twin = api.opret(opret(fordring("F2"), account="K1\n", cpr=cpr))
    body = _problem(twin)
    assert {e["code"] for e in body["errors"]} == {"SCHEMA-PATTERN"}
    accounts = [a for a in debitor(api)["accounts"] if a["DebitorkontoReference"].startswith("K1")]
    assert len(accounts) == 1


def test_the_pattern_fix_holds_in_both_validators():
    from testkommune.contracts.schemas import contract_set

    contract = contract_set().get("oir/OpretDebitorkonto_I")
    message = opret(fordring("F1"), account="K1\n")
    problems = contract.check(message)
    assert [p.code for p in problems] == ["SCHEMA-PATTERN"]
    assert [p.code for p in contract.check(opret(fordring("F1"), account="K1"))] == []
    assert contract.schema["properties"] is not None  # the contract as published keeps ECMA's `$`
    assert "\\Z" not in str(contract_set().raw)


def _stranger(api: Api, kommune: str = "101") -> Api:
    other = Api(api.base_url, kommune, f"x-{uuid.uuid4().hex[:8]}")
    other.clock(set="2026-09-20")
    return other


def test_another_tenants_claim_id_answers_exactly_like_an_unknown_one(api: Api):
    api.opret(opret(fordring("F1"), cpr=unique_cpr()))
    foreign_id = claim(api, "F1")["FordringID"]
    unused_id = "999999999"
    stranger = _stranger(api)

    def nedskriv(claim_id: str) -> dict[str, Any]:
        body = {"FordringID": claim_id, "Beløb": 10.0, "Årsag": "x"}
        return answer(b01(stranger, "NedskrivFordring", body))["Fejl"]

    foreign, unknown = nedskriv(foreign_id), nedskriv(unused_id)
    assert [e["code"] for e in foreign] == [e["code"] for e in unknown] == ["OIR-FORDRING-UKENDT"]
    assert [e | {"params": None} for e in foreign] == [
        e | {"params": None} for e in _with_value(unknown, foreign_id)
    ]


def test_paying_another_kommunes_claim_answers_exactly_like_an_unknown_one(api: Api):
    cpr = unique_cpr()
    api.opret(opret(fordring("F1"), cpr=cpr))
    foreign_id = claim(api, "F1")["FordringID"]
    stranger = _stranger(api)
    body = {"IndbetalingID": "X1", "SkyldnerID": cpr, "Beløb": 10.0, "BetalingDato": "2026-09-20"}
    foreign = answer(b03(stranger, "ForetagIndbetaling", body | {"FordringID": foreign_id}))["Fejl"]
    body["IndbetalingID"] = "X2"
    unknown = answer(b03(stranger, "ForetagIndbetaling", body | {"FordringID": "999999999"}))["Fejl"]
    assert [e["code"] for e in foreign] == [e["code"] for e in unknown] == ["DEB-INDBETALING-UKENDT"]
    assert [e | {"params": None} for e in foreign] == [
        e | {"params": None} for e in _with_value(unknown, foreign_id)
    ]


def _with_value(errors: list[dict[str, Any]], value: str) -> list[dict[str, Any]]:
    """The unknown id's answer with the foreign id written in: what the foreign answer must equal."""
    out = []
    for error in errors:
        text = {k: v.replace("999999999", value) if isinstance(v, str) else v for k, v in error.items()}
        out.append(text)
    return out


def test_serve_refuses_a_start_clock_outside_the_supported_range(tmp_path):
    from tests.test_evidence import run_cli

    result = run_cli("serve", "--port", "0", "--db", ":memory:", "--clock", "0001-01-01", cwd=tmp_path)
    assert result.returncode == 2 and "1900-01-01" in result.stderr, result.stderr
