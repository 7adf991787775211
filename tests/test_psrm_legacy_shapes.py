"""PSRM's old JSON shapes still work for one release: translated, answered with a Deprecation header, and
journalled as sent with a warning; the new shape passes untouched."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from testkommune.contracts.legacy_shapes import mapping, translate
from testkommune.simulators.screen import SCREEN_BYTES

from tests import psrm_actions as act
from tests.messages import psrm_leverance


def _old(action: dict[str, Any]) -> dict[str, Any]:
    """The action in the shape the contracts had before they followed soap.md §1 (written out by hand)."""
    old = copy.deepcopy(action)
    name, struct = next(iter(old["AktionValg"].items()))
    old["MFAktionID"] = struct.pop("MFAktionID")  # the old shape kept it on the action
    if name == "MFNedskrivFordringStruktur":
        struct["NedskrivningBeløb"] = struct.pop("NedskrivningBeløbStruktur")["FordringNedskrivningBeløb"]
        reason = struct.pop("NedskrivningÅrsagStruktur")
        struct["FordringNedskrivningAarsagKode"] = reason["FordringNedskrivningÅrsagKode"]
        if "FordringNedskrivningVirkningFra" in struct:
            struct["VirkningDato"] = struct.pop("FordringNedskrivningVirkningFra")
    elif name == "MFTilbagekaldFordringStruktur":
        reason = struct.pop("HovedFordringTilbagekaldÅrsagStruktur")
        struct["HovedFordringTilbagekaldAarsagKode"] = reason["HovedFordringTilbageÅrsagKode"]
    elif name == "MFFejlagtigHovedstolIndberetningStruktur":
        beloeb = struct.pop("FordringOprindeligBeløbStruktur")
        struct["NyHovedstolBeløb"] = beloeb["EFIFordringOprindeligBeløb"]
        old["AktionValg"] = {"FejlagtigHovedstolIndberetningStruktur": struct}
    return old


def _claim(api) -> str:
    api.post("/psrm/MFFordringIndberet", psrm_leverance("L-1", "A1"))
    receipt = api.post("/psrm/MFKvitteringHent", {"MFLeveranceID": "L-1"}).json()
    return receipt["FordringAktionStatusSamling"]["MFAktionStruktur"][0]["DMIFordringEFIFordringID"]


def _receipt(api, leverance: dict[str, Any]) -> dict[str, Any]:
    fetched = api.post("/psrm/MFKvitteringHent", {"MFLeveranceID": leverance["MFLeveranceID"]})
    return fetched.json()["FordringAktionStatusSamling"]["MFAktionStruktur"][0]


def _codes(receipt: dict[str, Any]) -> list[str]:
    reasons = (receipt.get("AfvistÅrsagSamling") or {}).get("MFAktionAfvistStruktur") or []
    return [e["code"] for e in reasons]


def _journal(api) -> list[dict[str, Any]]:
    return api.session.get(f"{api.admin_path}/journal", timeout=30).json()["entries"]


@pytest.mark.parametrize(
    "build",
    [
        lambda claim: act.nedskriv(claim, 250.0, "INDB", "2026-09-19"),
        lambda claim: act.nedskriv(claim, 5000.0, "INDB", "2026-09-19"),  # refused for its own reason
        lambda claim: act.tilbagekald(claim, "HENS"),
        lambda claim: act.hovedstol(claim, 1200.0),
    ],
)
def test_an_old_shape_gets_the_new_shapes_verdict_with_a_deprecation_header(api, build):
    claim = _claim(api)
    old = act.leverance(_old(build(claim)))
    answered = api.post("/psrm/MFFordringIndberet", old)
    assert answered.status_code == 200, answered.text
    assert answered.headers["Deprecation"].startswith("@")
    assert answered.headers["Warning"].startswith("299 testkommune")
    old_receipt = _receipt(api, old)

    twin = _claim_twin(api)
    new = act.leverance(build(twin))
    plain = api.post("/psrm/MFFordringIndberet", new)
    assert "Deprecation" not in plain.headers and "Warning" not in plain.headers
    new_receipt = _receipt(api, new)
    assert old_receipt["MFAktionStatusKode"] == new_receipt["MFAktionStatusKode"]
    assert _codes(old_receipt) == _codes(new_receipt)

    warned = [e for e in _journal(api) if e["operation"] == "MFFordringIndberet (old shape)"]
    assert len(warned) == 1
    assert json.loads(warned[0]["request"]) == old  # as the caller sent it
    codes = {w["code"] for w in json.loads(warned[0]["response"])["warnings"]}
    assert codes == {"PSRM-FORAELDET-FORM"}


def _claim_twin(api) -> str:
    """A second claim like the first (the verdict of the new shape is compared on equal terms)."""
    api.post("/psrm/MFFordringIndberet", psrm_leverance("L-2", "A2", DMIFordringFordringHaverRef="REF-2"))
    receipt = api.post("/psrm/MFKvitteringHent", {"MFLeveranceID": "L-2"}).json()
    return receipt["FordringAktionStatusSamling"]["MFAktionStruktur"][0]["DMIFordringEFIFordringID"]


def test_every_old_field_of_the_mapping_lands_in_the_new_contract(api):
    """The mapping's targets are fields of the contract: a translated old message is valid."""
    for old_name, spec in mapping()["structures"].items():
        struct = {"DMIFordringEFIFordringID": "1", "MFAktionIDRef": "A-1"}
        struct |= {field: ("INDB" if "Kode" in field else 10.0) for field in spec["moves"]}
        struct |= {"VirkningDato": "2026-09-19"} if "VirkningDato" in spec["moves"] else {}
        action = act.action("NEDSKRIV", old_name, struct)
        new, moved = translate(act.leverance(action))
        assert moved, old_name
        answered = api.post("/psrm/MFFordringIndberet", new)
        assert answered.status_code == 200 or all(
            "MFAktionIDRef" in e["path"] or "Kode" in e["path"] for e in answered.json()["errors"]
        ), (old_name, answered.text)


def test_a_message_in_the_new_shape_is_not_translated():
    message = act.leverance(act.nedskriv("1", 10.0), act.tilbagekald("1", "FEJL"))
    assert translate(message) == (message, [])
    assert translate(message, json.dumps(message, ensure_ascii=False)) == (message, [])


def test_a_new_shaped_body_is_parsed_once(api, monkeypatch):
    """The old-shape check in front of the route parses the body with the route's own parser and hands the
    value on (`http.PARSED`), so the route does not parse the same bytes again."""
    from testkommune.simulators import http, legacy_shapes

    parsed: list[int] = []
    parse = http.parse_json_text

    def counting(raw: bytes) -> Any:
        parsed.append(len(raw))
        return parse(raw)

    monkeypatch.setattr(http, "parse_json_text", counting)
    monkeypatch.setattr(legacy_shapes, "parse_json_text", counting)
    answered = api.post("/psrm/MFFordringIndberet", psrm_leverance("L-once", "A-once"))
    assert answered.status_code == 200, answered.text
    assert len(parsed) == 1


@pytest.mark.parametrize("spelt", ["plain", "escaped"])
def test_the_old_liability_dates_are_moved_to_their_real_names(api, spelt: str):
    """Also when the old name is spelt with a JSON escape: the text search that spares the walk for a
    message with no old liability date must not miss one (`translate(message, text)`)."""
    message = psrm_leverance("L1", "A1")
    opret = message["FordringAktionSamling"]["FordringAktion"][0]["AktionValg"]["OpretFordringAktion"]
    opret["MFOpretFordringStruktur"]["FordringHæftelseSamling"]["MFHæftelseStruktur"][0] |= {
        "HæftelseDom": True,
        "HaeftelseDomDato": "2026-08-01",
    }
    body = json.dumps(message, ensure_ascii=False)
    if spelt == "escaped":
        body = body.replace('"HaeftelseDomDato"', '"\\u0048aeftelseDomDato"')
        assert "HaeftelseDomDato" not in body
    answered = api.session.post(
        api.base_url + "/psrm/MFFordringIndberet",
        data=body.encode(),
        headers=api.headers | {"content-type": "application/json"},
        timeout=30,
    )
    assert answered.status_code == 200 and answered.headers["Deprecation"].startswith("@")
    (action,) = api.state()["psrm"]["actions"]
    stored = action["Anmodning"]["AktionValg"]["OpretFordringAktion"]["MFOpretFordringStruktur"]
    (haeftelse,) = stored["FordringHæftelseSamling"]["MFHæftelseStruktur"]
    assert haeftelse["HæftelseDomDato"] == "2026-08-01" and "HaeftelseDomDato" not in haeftelse


def test_a_large_old_shaped_body_is_screened_and_translated_off_the_event_loop(api):
    """A body of SCREEN_BYTES or more takes the other road through the translation (screened by the helper
    process, read in a worker thread): an old shape padded with whitespace is still translated and warned."""
    claim = _claim(api)
    old = act.leverance(_old(act.nedskriv(claim, 250.0, "INDB", "2026-09-19")))
    body = json.dumps(old, ensure_ascii=False).encode() + b" " * SCREEN_BYTES
    answered = api.session.post(
        api.base_url + "/psrm/MFFordringIndberet",
        data=body,
        headers=api.headers | {"content-type": "application/json"},
        timeout=60,
    )
    assert answered.status_code == 200, answered.text
    assert answered.headers["Deprecation"].startswith("@")
    assert _codes(_receipt(api, old)) == []
