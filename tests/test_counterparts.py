"""The counterparts as one house: the debitor system reaches PSRM through its API, and that leg is journalled;
the admin state is every counterpart's own part."""

from __future__ import annotations

import json

from tests.messages import fordring, opret, overdrag


def _journal(api) -> list[dict]:
    response = api.session.get(f"{api.admin_path}/journal", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["entries"]


def test_hand_over_to_psrm_is_journalled_as_an_internal_leg(api):
    api.opret(opret(fordring("F1")))
    api.clock(advance_to="2026-10-16")
    answer = api.ret_tilstand(overdrag("F1")).json()["Forretningskvittering"]
    assert answer["FordringTilstand"] == "OVERDRAGET"
    legs = [e for e in _journal(api) if e["method"] == "INTERN"]
    assert [(e["counterpart"], e["operation"], e["path"], e["status"]) for e in legs] == [
        ("psrm", "MFFordringIndberet", "/psrm/MFFordringIndberet", 200)
    ]
    sent, answered = json.loads(legs[0]["request"]), json.loads(legs[0]["response"])
    action = sent["FordringAktionSamling"]["FordringAktion"][0]
    status = answered["FordringInfo"]["FordringAktionStatusSamling"]["MFAktionStruktur"][0]
    assert status["MFAktionID"] == _aktion_id(action) and status["MFAktionStatusKode"] == "MODTAGET"


def _aktion_id(action: dict) -> str:
    """The MFAktionID inside the action's structure, where SKAT's samples put it (soap.md §1)."""
    found = [v for k, v in _items(action) if k == "MFAktionID"]
    assert len(found) == 1, action
    return found[0]


def _items(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _items(value)
    elif isinstance(node, list):
        for value in node:
            yield from _items(value)


def test_a_fagsystem_call_to_psrm_is_not_an_internal_leg(api):
    api.opret(opret(fordring("F1")))
    assert not [e for e in _journal(api) if e["method"] == "INTERN"]


def test_state_holds_each_counterparts_part_in_a_stable_order(api):
    api.opret(opret(fordring("F1")))
    state = api.state()
    assert list(state) == ["tenant", "clock", "contracts", "debitor", "psrm", "oir"]
    assert [c["FordringReference"] for c in state["debitor"]["claims"]] == ["F1"]
    assert len(state["oir"]["deliveries"]) == 1 and state["psrm"] == {"actions": [], "claims": []}
