"""DaekningAfskrivningRegistreringAfsend as a mailbox over real HTTP: cursor, page size, unique ids, and
tenant isolation."""

from __future__ import annotations

import uuid

from tests.conftest import Api
from tests.debitor_messages import OIR_DA, b01, mailbox
from tests.messages import fordring, opret


def _three_updates(api: Api) -> None:
    api.opret(opret(fordring("F1")))
    for op, amount in (("OpskrivFordring", 100.0), ("NedskrivFordring", 50.0), ("OpskrivFordring", 25.0)):
        assert b01(api, op, {"FordringReference": "F1", "Beløb": amount, "Årsag": "test"}).status_code == 200


def test_the_cursor_pages_through_the_mailbox_once(api):
    _three_updates(api)
    first = mailbox(api, 0, Antal=2)
    assert [(m["Type"], m["Beløb"]) for m in first["Besked"]] == [
        ("OPSKRIVNING", 100.0),
        ("NEDSKRIVNING", 50.0),
    ]
    assert first["FlereBeskeder"] is True
    assert first["Cursor"] == first["Besked"][-1]["Sekvensnummer"]
    rest = mailbox(api, first["Cursor"], Antal=2)
    assert [(m["Type"], m["Beløb"]) for m in rest["Besked"]] == [("OPSKRIVNING", 25.0)]
    assert rest["FlereBeskeder"] is False
    empty = mailbox(api, rest["Cursor"])
    assert (empty["Besked"], empty["Cursor"]) == ([], rest["Cursor"])
    again = mailbox(api, 0)  # a fagsystem that lost its cursor reads everything again, same ids
    ids = [m["BeskedID"] for m in again["Besked"]]
    assert ids == [m["BeskedID"] for m in first["Besked"] + rest["Besked"]]
    assert len(set(ids)) == 3


def test_a_tenant_sees_only_its_own_mailbox(api):
    _three_updates(api)
    other = Api(api.base_url, api.kommune, f"andet-{uuid.uuid4().hex[:8]}")
    other.clock(set="2026-09-20")
    assert mailbox(other)["Besked"] == []


def test_a_bad_cursor_is_refused_with_its_path(api):
    response = api.post(f"{OIR_DA}/HentDaekningAfskrivning", {"Cursor": -1, "Antal": 0})
    assert response.status_code == 400
    assert {(e["code"], e["path"]) for e in response.json()["errors"]} == {
        ("SCHEMA-RANGE", "$.Cursor"),
        ("SCHEMA-RANGE", "$.Antal"),
    }


def test_a_cursor_beyond_any_sequence_number_is_refused_as_bad_input(api):
    """Found by the long fuzzing run: a cursor past SQLite's integer range crashed the read (500)."""
    response = api.post(f"{OIR_DA}/HentDaekningAfskrivning", {"Cursor": 2**70})
    assert response.status_code == 400, response.text
    assert "$.Cursor" in response.text
