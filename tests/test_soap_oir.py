"""ØiR over SOAP in Serviceplatformen's envelope: contexts, soapAction, ServiceplatformFault (soap.md §2)."""

from __future__ import annotations

import uuid
from xml.etree import ElementTree as ET

import pytest
import requests
from testkommune.simulators.routes import all_operations

from tests import soap_envelopes as soap
from tests.messages import OIR_B01, OIR_B02, fordring, opret

FAULT = f"{{{soap.SOAP}}}Body/{{{soap.SOAP}}}Fault"
F = f"{{{soap.FAULT_NS}}}"


def _call(api, service: str, operation: str, xml: str, headers: dict[str, str] | None = None):
    soap_action = f'"{soap.sp_namespace(service)}{operation}"'
    sent = (api.headers if headers is None else headers) | soap.HEADERS | {"SOAPAction": soap_action}
    return api.session.post(api.base_url + service, data=xml.encode("utf-8"), headers=sent, timeout=30)


def _answer(response, service: str, operation: str) -> ET.Element:
    assert response.status_code == 200, response.text
    answer = ET.fromstring(response.content).find(f"{{{soap.SOAP}}}Body")[0]
    assert answer.tag == f"{{{soap.sp_namespace(service)}}}{operation}_O"
    return answer


def _text(answer: ET.Element, service: str, path: str) -> str:
    t = f"{{{soap.sp_namespace(service)}}}"
    return answer.find("/".join(t + part for part in path.split("/"))).text


def _fault_codes(response) -> list[str]:
    assert response.status_code == 500, response.text
    fault = ET.fromstring(response.content).find(FAULT)
    errors = fault.find(f"detail/{F}ServiceplatformFault/{F}ErrorList")
    return [e.find(f"{F}ErrorCode").text for e in errors.findall(f"{F}Error")]


def test_opret_debitorkonto_over_soap_gives_the_json_bindings_answer(api, kommune):
    message = opret(fordring("F1"))
    answer = _answer(
        _call(api, OIR_B01, "OpretDebitorkonto", soap.sp_request(OIR_B01, "OpretDebitorkonto", message)),
        OIR_B01,
        "OpretDebitorkonto",
    )
    assert _text(answer, OIR_B01, "Kvittering/Status") == "MODTAGET"
    assert _text(answer, OIR_B01, "Forretningskvittering/Status") == "GODKENDT"
    assert [c["FordringReference"] for c in api.state()["debitor"]["claims"]] == ["F1"]
    again = _answer(
        _call(api, OIR_B01, "OpretDebitorkonto", soap.sp_request(OIR_B01, "OpretDebitorkonto", message)),
        OIR_B01,
        "OpretDebitorkonto",
    )
    assert _text(again, OIR_B01, "Kvittering/TransaktionsID") == _text(
        answer, OIR_B01, "Kvittering/TransaktionsID"
    )
    assert len(api.state()["debitor"]["claims"]) == 1


def test_the_kommune_comes_from_municipality_cvr(api):
    api.settings({"erp": {"kommune_cvr": "29189846"}})
    headers = {"X-TK-Anvendersystem": api.system}
    request = soap.sp_request(OIR_B01, "OpretDebitorkonto", opret(fordring("F1")), cvr="29189846")
    _answer(_call(api, OIR_B01, "OpretDebitorkonto", request, headers), OIR_B01, "OpretDebitorkonto")
    assert [c["FordringReference"] for c in api.state()["debitor"]["claims"]] == ["F1"]
    unknown = soap.sp_request(OIR_B01, "OpretDebitorkonto", opret(fordring("F2")), cvr="11111111")
    assert _fault_codes(_call(api, OIR_B01, "OpretDebitorkonto", unknown, headers)) == ["SP-MYNDIGHED-UKENDT"]
    elsewhere = headers | {"X-TK-Kommune": "101"}
    assert _fault_codes(_call(api, OIR_B01, "OpretDebitorkonto", request, elsewhere)) == [
        "SP-MYNDIGHED-FORSKEL"
    ]


def test_the_system_comes_from_the_invocation_context(api):
    system = str(uuid.uuid4())
    request = soap.sp_request(OIR_B01, "OpretDebitorkonto", opret(fordring("F9")), system=system.upper())
    _answer(
        _call(api, OIR_B01, "OpretDebitorkonto", request, {"X-TK-Kommune": "851"}),
        OIR_B01,
        "OpretDebitorkonto",
    )
    state = api.session.get(f"{api.base_url}/admin/tenants/851/{system}/state", timeout=30).json()
    assert [c["FordringReference"] for c in state["debitor"]["claims"]] == ["F9"]


def test_a_refusal_is_a_serviceplatform_fault(api):
    request = soap.sp_request(OIR_B02, "HentDebitorkonto", {"DebitorkontoReference": "UKENDT"})
    assert _fault_codes(_call(api, OIR_B02, "HentDebitorkonto", request)) == ["OIR-DEBITORKONTO-UKENDT"]


def test_a_soap_action_naming_another_operation_is_refused(api):
    request = soap.sp_request(OIR_B02, "HentDebitorkonto", {"DebitorkontoReference": "K1"})
    response = _call(api, OIR_B02, "SoegDebitorkonto", request)
    assert response.status_code == 500 and "SOAP-UKENDT-OPERATION" in response.text


SP_OPERATIONS = [op for op in all_operations() if op.path.startswith("/service/")]


@pytest.mark.parametrize("operation", SP_OPERATIONS, ids=[op.name for op in SP_OPERATIONS])
def test_every_serviceplatform_operation_is_reachable_over_soap(api, operation):
    """An empty request reaches the operation: answered, or refused by its contract for what is missing."""
    service = operation.path.rpartition("/")[0]
    response = _call(api, service, operation.name, soap.sp_request(service, operation.name, {}))
    if response.status_code == 200:
        _answer(response, service, operation.name)
    else:
        assert "SCHEMA-REQUIRED" in _fault_codes(response), response.text


def test_a_closed_kommune_refuses_over_soap_as_serviceplatformen_does(tmp_path):
    import yaml
    from testkommune.harness.server import start_in_thread
    from testkommune.simulators.access import digest, load_policy

    access = {
        "admin": [{"token_sha256": digest("admin-secret-0123456789")}],
        "serviceaftaler": [
            {
                "anvendersystem": "vendor-b",
                "token": "vendor-b-0123456789",
                "kommuner": ["851"],
                "operationer": ["OpretDebitorkonto"],
            },
        ],
    }
    path = tmp_path / "access.yaml"
    path.write_text(yaml.safe_dump(access), "utf-8")
    closed = start_in_thread(":memory:", access=load_policy(path))
    try:
        api = type("Closed", (), {})()
        api.session, api.base_url, api.headers = requests.Session(), closed.base_url, {"X-TK-Kommune": "851"}
        opret_xml = soap.sp_request(
            OIR_B01, "OpretDebitorkonto", opret(fordring("F1")), system=str(uuid.uuid4())
        )
        assert _fault_codes(_call(api, OIR_B01, "OpretDebitorkonto", opret_xml)) == ["SP-ADGANG-UGYLDIG"]
        token = api.headers | {"Authorization": "Bearer vendor-b-0123456789"}
        _answer(_call(api, OIR_B01, "OpretDebitorkonto", opret_xml, token), OIR_B01, "OpretDebitorkonto")
        soeg = soap.sp_request(OIR_B02, "HentDebitorkonto", {"DebitorkontoReference": "K1"})
        assert _fault_codes(_call(api, OIR_B02, "HentDebitorkonto", soeg, token)) == [
            "SP-INGEN-SERVICEAFTALE"
        ]
    finally:
        closed.stop()


def test_a_monstrous_integer_is_not_computed(api):
    service = "/service/OIR/DaekningAfskrivningRegistreringAfsend/1"
    request = soap.sp_request(service, "HentDaekningAfskrivning", {"Cursor": "1e999999999"})
    assert "SCHEMA-TYPE" in _fault_codes(_call(api, service, "HentDaekningAfskrivning", request))


def test_the_same_delivery_sent_twenty_times_at_once_is_booked_once(api):
    from concurrent.futures import ThreadPoolExecutor

    request = soap.sp_request(OIR_B01, "OpretDebitorkonto", opret(fordring("F1"))).encode("utf-8")
    action = f'"{soap.sp_namespace(OIR_B01)}OpretDebitorkonto"'
    headers = api.headers | soap.HEADERS | {"SOAPAction": action}

    def send(_: int) -> int:
        return requests.post(api.base_url + OIR_B01, data=request, headers=headers, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(send, range(20)))
    assert statuses == [200] * 20
    assert [c["FordringReference"] for c in api.state()["debitor"]["claims"]] == ["F1"]
