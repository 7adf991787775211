"""The served WSDLs: generated from the contracts, and good enough for a generated client (zeep)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
import requests
import zeep
from testkommune.contracts.schemas import contract_set
from testkommune.simulators.routes import all_operations
from zeep.helpers import serialize_object
from zeep.transports import Transport

from tests import soap_envelopes as soap
from tests.messages import OIR_B01, OIR_B02, fordring, opret, overdrag

WSDL = "{http://schemas.xmlsoap.org/wsdl/}"
WSOAP = "{http://schemas.xmlsoap.org/wsdl/soap/}"
XS = "{http://www.w3.org/2001/XMLSchema}"
SERVICES = sorted({op.path.rpartition("/")[0] for op in all_operations() if op.path.startswith("/service/")})


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_publishes_a_wsdl_built_from_its_contracts(kommune, service):
    response = requests.get(f"{kommune.base_url}{service}?wsdl", timeout=30)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
    wsdl = ET.fromstring(response.content)
    tns = soap.sp_namespace(service)
    assert wsdl.get("targetNamespace") == tns
    address = wsdl.find(f"{WSDL}service/{WSDL}port/{WSOAP}address").get("location")
    assert address == kommune.base_url + service
    actions = {
        o.get("name"): o.find(f"{WSOAP}operation").get("soapAction")
        for o in wsdl.iter(f"{WSDL}operation")
        if o.find(f"{WSOAP}operation") is not None
    }
    ops = [op for op in all_operations() if op.path.rpartition("/")[0] == service]
    assert actions == {op.name: tns + op.name for op in ops}
    schema = wsdl.find(f"{WSDL}types/{XS}schema")
    for op in ops:
        request = schema.find(f"{XS}element[@name='{op.name}_I']")
        names = [e.get("name") for e in request.iter(f"{XS}element") if e is not request]
        assert names == list(contract_set().raw[op.contract_in].get("properties", {})), op.name


def test_psrm_publishes_a_wsdl_in_skats_namespace_built_from_its_contracts(kommune):
    response = requests.get(f"{kommune.base_url}/psrm?wsdl", timeout=30)
    assert response.status_code == 200
    wsdl = ET.fromstring(response.content)
    assert wsdl.get("targetNamespace") == soap.SKAT
    assert wsdl.find(f"{WSDL}service/{WSDL}port/{WSOAP}address").get("location") == kommune.base_url + "/psrm"
    ops = [op for op in all_operations() if op.counterpart == "psrm"]
    names = {o.get("name") for o in wsdl.iter(f"{WSDL}operation")}
    assert names == {op.name for op in ops}
    schema = wsdl.find(f"{WSDL}types/{XS}schema")
    for op in ops:
        request = schema.find(f"{XS}element[@name='{op.name}_I']")
        children = [e.get("name") for e in request.find(f"{XS}complexType/{XS}sequence")]
        assert children == list(contract_set().raw[op.contract_in].get("properties", {})), op.name
    declared = {e.get("name") for e in schema.iter(f"{XS}element")}
    assert set(soap.REAL_STRUCTURES) <= declared  # the real action structures, as the samples name them
    assert {"MFAktionAfvistStruktur", "MFAktionAfvistNummer", "MFAktionAfvistTekst"} <= declared


def _client(api, service: str) -> zeep.Client:
    session = requests.Session()
    session.headers.update(api.headers)
    return zeep.Client(f"{api.base_url}{service}?wsdl", transport=Transport(session=session))


def test_a_client_generated_from_the_wsdl_walks_the_claim_road(api):
    b01, b02 = _client(api, OIR_B01), _client(api, OIR_B02)
    created = b01.service.OpretDebitorkonto(**opret(fordring("F1")))
    assert created.Kvittering.Status == "MODTAGET" and created.Forretningskvittering.Status == "GODKENDT"
    api.clock(set="2026-10-16")
    handed = serialize_object(b01.service.RetFordringTilstand(**overdrag("F1")))
    assert handed["Kvittering"]["Status"] == "MODTAGET", handed
    api.clock(advance="1d")
    account = b02.service.HentDebitorkonto(DebitorkontoReference="K1")
    (claim,) = account.Debitorkonto.Fordring
    json_view = api.hent("K1").json()["Debitorkonto"]["Fordring"][0]
    assert claim.FordringTilstand == json_view["FordringTilstand"] == "UNDER_INDDRIVELSE"
    assert claim.PSRM.MFAktionStatusKode == json_view["PSRM"]["MFAktionStatusKode"] == "UDFOERT"
    assert float(claim.SaldoBeløb) == json_view["SaldoBeløb"]


def test_a_refusal_reaches_the_generated_client_as_a_serviceplatform_fault(api):
    with pytest.raises(zeep.exceptions.Fault) as refused:
        _client(api, OIR_B02).service.HentDebitorkonto(DebitorkontoReference="UKENDT")
    codes = [e.text for e in refused.value.detail.iter(f"{{{soap.FAULT_NS}}}ErrorCode")]
    assert codes == ["OIR-DEBITORKONTO-UKENDT"]
