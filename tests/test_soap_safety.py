"""Hostile and broken envelopes are refused with a SOAP Fault, without harm (issue 17 item 6)."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest

from tests import soap_envelopes as soap

FAULT = f"{{{soap.SOAP}}}Body/{{{soap.SOAP}}}Fault"


def _post(api, xml: str | bytes, path: str = "/psrm/MFFordringIndberet"):
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    return api.session.post(api.base_url + path, data=data, headers=api.headers | soap.HEADERS, timeout=30)


def _fault(response, status: int = 500) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/xml")
    fault = ET.fromstring(response.content).find(FAULT)
    assert fault is not None, response.text
    assert fault.find("faultcode").text == "soapenv:Client"
    return fault.find("faultstring").text


def _still_serving(api) -> None:
    ok = _post(api, soap.indberet("L-AFTER", soap.opret("A-AFTER")))
    assert ok.status_code == 200, ok.text


def test_external_entity_is_refused_and_nothing_is_read(api, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER", encoding="utf-8")
    xxe = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>' + soap.indberet(
        "L-XXE", soap.opret("A-1")
    ).replace("29189846", "&x;")
    response = _post(api, xxe)
    assert "SOAP-DTD" in _fault(response)
    assert "TOP-SECRET-MARKER" not in response.text
    assert api.state()["psrm"]["actions"] == []
    _still_serving(api)


def test_billion_laughs_is_refused(api):
    entities = '<!ENTITY a0 "ha">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE r [{entities}]>' + soap.envelope(
        f'<MFKvitteringHent_I xmlns="{soap.SKAT}"><MFLeveranceID>&a9;</MFLeveranceID></MFKvitteringHent_I>'
    )
    assert "SOAP-DTD" in _fault(_post(api, bomb, "/psrm/MFKvitteringHent"))
    _still_serving(api)


def test_deep_nesting_is_refused_before_the_tree_is_built(api):
    depth = 100_000
    deep = soap.envelope(
        f'<MFFordringIndberet_I xmlns="{soap.SKAT}">'
        + "<a>" * depth
        + "</a>" * depth
        + "</MFFordringIndberet_I>"
    )
    assert "SOAP-FOR-DYB" in _fault(_post(api, deep))
    _still_serving(api)


def test_a_body_over_the_json_paths_limit_is_refused(api):
    big = soap.indberet("L-BIG", soap.opret("A-1")).replace(
        "<Kontekst>", "<Kontekst>" + " " * (5 * 1024 * 1024)
    )
    assert "SOAP-FOR-STOR" in _fault(_post(api, big), status=413)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", "SOAP-TOM"),
        ("<not-closed>", "SOAP-UGYLDIG-XML"),
        (b"\xff\xfe<a/>", "SOAP-UGYLDIG-XML"),
        (f'<soapenv:Envelope xmlns:soapenv="{soap.SOAP}"><soapenv:Body/></soapenv:Envelope>', "SOAP-TOM"),
        (f'<soapenv:Envelope xmlns:soapenv="{soap.SOAP}"/>', "SOAP-TOM"),
        ("<Envelope/>", "SOAP-UGYLDIG-XML"),
        (soap.envelope(f'<Ukendt_I xmlns="{soap.SKAT}"/>'), "SOAP-UKENDT-OPERATION"),
    ],
    ids=["empty", "malformed", "not-utf8", "empty-body", "no-body", "not-soap", "unknown-operation"],
)
def test_malformed_or_empty_envelopes_get_a_fault_with_500(api, body, code):
    api.clock(advance="1m")  # the tenant exists, so the refusal is journalled as evidence
    assert code in _fault(_post(api, body))
    entries = api.session.get(f"{api.admin_path}/journal", timeout=30).json()["entries"]
    assert [(e["counterpart"], e["status"]) for e in entries] == [("soap", 500)]


def test_a_message_breaking_its_contract_gets_a_fault_listing_each_problem(api):
    broken = soap.indberet("L-BAD", soap.opret("A-1")).replace(
        "<DMIFordringBeløb>1000.00", "<DMIFordringBeløb>mange"
    )
    response = _post(api, broken)
    _fault(response)
    numbers = [e.text for e in ET.fromstring(response.content).iter(f"{{{soap.SKAT}}}FejlNummer")]
    paths = [e.text for e in ET.fromstring(response.content).iter(f"{{{soap.SKAT}}}FejlSti")]
    assert "SCHEMA-TYPE" in numbers, response.text
    assert any("DMIFordringBeløb" in p for p in paths), paths


def test_unknown_elements_are_tolerated_and_journalled_as_warnings(api):
    extra = soap.indberet("L-X", soap.opret("A-X")).replace(
        "<MFLeveranceID>", '<Fremtidig>1</Fremtidig><f:Andet xmlns:f="urn:fremmed">2</f:Andet><MFLeveranceID>'
    )
    assert _post(api, extra).status_code == 200
    entries = api.session.get(f"{api.admin_path}/journal", timeout=30).json()["entries"]
    (entry,) = [e for e in entries if e["operation"] == "SOAP MFFordringIndberet"]
    assert entry["counterpart"] == "soap" and "<Fremtidig>" in entry["request"]
    warnings = json.loads(entry["response"])["warnings"]
    by_code = {(w["code"], w["path"]) for w in warnings}
    assert ("SOAP-UKENDT-ELEMENT", "MFFordringIndberet_I/Fremtidig") in by_code
    assert ("SOAP-UKENDT-ELEMENT", "MFFordringIndberet_I/{urn:fremmed}Andet") in by_code
    assert any(code == "SOAP-ELEMENT-IKKE-BRUGT" and "DokumentSamling" in path for code, path in by_code)
    assert all(w["severity"] == "warning" for w in warnings)


def test_an_empty_kontekst_is_given_a_transaction_id_and_a_warning(api):
    response = _post(api, soap.indberet("L-K", soap.opret("A-K"), with_kontekst=False))
    assert response.status_code == 200, response.text
    entries = api.session.get(f"{api.admin_path}/journal", timeout=30).json()["entries"]
    (entry,) = [e for e in entries if e["operation"] == "SOAP MFFordringIndberet"]
    assert "SOAP-KONTEKST-TILDELT" in {w["code"] for w in json.loads(entry["response"])["warnings"]}


@pytest.mark.parametrize("amount", ["1e999999999", "9" * 5000, "NaN", "-Infinity"])
def test_a_monstrous_number_is_refused_by_the_contract_without_being_computed(api, amount):
    broken = soap.indberet("L-N", soap.opret("A-N")).replace(
        "<DMIFordringBeløb>1000.00", f"<DMIFordringBeløb>{amount}"
    )
    response = _post(api, broken)
    _fault(response)
    assert "SCHEMA-TYPE" in [
        e.text for e in ET.fromstring(response.content).iter(f"{{{soap.SKAT}}}FejlNummer")
    ]


def test_unknown_elements_are_answered_with_their_warnings_bounded(api):
    many = soap.indberet("L-F", soap.opret("A-F")).replace(
        "<MFLeveranceID>", "<x/>" * 5_000 + "<MFLeveranceID>"
    )
    assert _post(api, many).status_code == 200
    entries = api.session.get(f"{api.admin_path}/journal", timeout=30).json()["entries"]
    (entry,) = [e for e in entries if e["operation"] == "SOAP MFFordringIndberet"]
    answer = json.loads(entry["response"])
    assert len(answer["warnings"]) == 100 and answer["warnings_dropped"] > 4_900


def test_a_flood_of_elements_is_refused_while_parsing(api):
    flood = soap.indberet("L-F", soap.opret("A-F")).replace(
        "<MFLeveranceID>", "<x/>" * 1_000_000 + "<MFLeveranceID>"
    )
    assert "SOAP-FOR-STOR" in _fault(_post(api, flood), status=413)
    _still_serving(api)
