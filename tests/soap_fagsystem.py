"""A fagsystem's JSON calls carried to the test kommune as SOAP by a client generated from the served WSDLs.

`ZeepAdapter` is mounted on the fagsystem's `requests` session: each POST to a Serviceplatformen address or
to PSRM (`/psrm/<operation>`, the direct role) is built into an envelope by zeep (from `GET <service>?wsdl`),
sent, and zeep's reading of the answer is handed back as the JSON the fagsystem expects; a fault comes back
as a problem with its error codes.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import requests
import zeep
from lxml import etree
from zeep.helpers import serialize_object
from zeep.transports import Transport

from tests.soap_envelopes import FAULT_NS, SKAT

_PASSED = ("x-tk-kommune", "x-tk-anvendersystem", "authorization")


class ZeepAdapter(requests.adapters.HTTPAdapter):
    def __init__(self) -> None:
        super().__init__()
        self.plain = requests.Session()
        self.clients: dict[str, zeep.Client] = {}
        self.calls = 0

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = urlsplit(request.url)
        if request.method != "POST" or not url.path.startswith(("/service/", "/psrm/")):
            return super().send(request, **kwargs)
        service, _, name = url.path.rpartition("/")
        address = f"{url.scheme}://{url.netloc}{service}"
        client = self.clients.get(address) or self.clients.setdefault(
            address, zeep.Client(f"{address}?wsdl", transport=Transport(session=self.plain))
        )
        binding = client.service._binding
        envelope = client.create_message(client.service, name, **json.loads(request.body))
        headers = {k: v for k, v in request.headers.items() if k.lower() in _PASSED}
        headers |= {
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{binding.get(name).soapaction}"',
        }
        self.calls += 1
        sent = self.plain.post(
            address,
            data=etree.tostring(envelope, encoding="utf-8", xml_declaration=True),
            headers=headers,
            timeout=30,
        )
        if sent.status_code == 200:
            body = plain(serialize_object(binding.process_reply(client, binding.get(name), sent)))
            return _response(request, 200, body)
        status = 400 if sent.status_code == 500 else sent.status_code
        return _response(request, status, {"status": status, "errors": _fault_errors(sent.content)})


def _response(request: requests.PreparedRequest, status: int, body: Any) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body, ensure_ascii=False).encode("utf-8")
    response.headers["Content-Type"] = "application/json"
    response.encoding = "utf-8"
    response.url = request.url or ""
    response.request = request
    return response


def _fault_errors(content: bytes) -> list[dict[str, str]]:
    try:
        root = ET.fromstring(content)
    except ET.ParseError:
        return []
    return [
        {"code": e.findtext(f"{{{FAULT_NS}}}ErrorCode"), "text_da": e.findtext(f"{{{FAULT_NS}}}ErrorText")}
        for e in root.iter(f"{{{FAULT_NS}}}Error")
    ] + [
        {"code": e.findtext(f"{{{SKAT}}}FejlNummer"), "text_da": e.findtext(f"{{{SKAT}}}FejlTekst")}
        for e in root.iter(f"{{{SKAT}}}Fejl")
    ]


def plain(value: Any) -> Any:
    """zeep's objects as JSON values; elements kept by `xs:any` become fields again."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key.startswith("_value_"):
                for element in item or []:
                    out[etree.QName(element).localname] = _element(element)
            elif item is not None:
                out[key] = plain(item)
        return out
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, etree._Element):
        return _element(value)
    return value


def _element(element: Any) -> Any:
    children = list(element)
    if not children:
        return element.text or ""
    out: dict[str, Any] = {}
    for child in children:
        name, item = etree.QName(child).localname, _element(child)
        out[name] = (
            [*out[name], item]
            if isinstance(out.get(name), list)
            else ([out[name], item] if name in out else item)
        )
    return out
