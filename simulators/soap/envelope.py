"""SOAP 1.1 envelopes and faults: open a request, build an answer (document/literal)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from xml.etree import ElementTree as ET
from xml.etree.ElementTree import Element, SubElement

from testkommune.contracts.catalogue import error_catalogue
from testkommune.simulators.soap.safexml import UnsafeXmlError, local, namespace

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CONTENT_TYPE = "text/xml; charset=utf-8"

for _prefix, _uri in (("soapenv", SOAP_ENV), ("xsi", XSI)):
    ET.register_namespace(_prefix, _uri)


def register_prefix(prefix: str, uri: str) -> None:
    """Give a namespace a readable prefix in every answer."""
    ET.register_namespace(prefix, uri)


def body_payload(root: Element) -> Element:
    """The request element inside `Envelope/Body`, or UnsafeXmlError naming what is missing."""
    if namespace(root.tag) != SOAP_ENV or local(root.tag) != "Envelope":
        raise UnsafeXmlError("SOAP-UGYLDIG-XML", f"the root is {local(root.tag)}, not a SOAP 1.1 Envelope")
    bodies = [child for child in root if child.tag == f"{{{SOAP_ENV}}}Body"]
    if len(bodies) != 1:
        raise UnsafeXmlError("SOAP-TOM", "the Envelope has no Body")
    payload = [child for child in bodies[0] if isinstance(child.tag, str)]
    if not payload:
        raise UnsafeXmlError("SOAP-TOM", "the Body is empty")
    if len(payload) > 1:
        raise UnsafeXmlError("SOAP-UGYLDIG-XML", "the Body holds more than one request element")
    return payload[0]


def envelope(payload: Element) -> bytes:
    """A complete SOAP 1.1 envelope around one answer element."""
    root = Element(f"{{{SOAP_ENV}}}Envelope")
    SubElement(root, f"{{{SOAP_ENV}}}Header")
    SubElement(root, f"{{{SOAP_ENV}}}Body").append(payload)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def fault(faultcode: str, faultstring: str, detail: Element | None = None) -> bytes:
    """A SOAP 1.1 Fault (`faultcode` Client or Server), with an optional detail element."""
    element = Element(f"{{{SOAP_ENV}}}Fault")
    SubElement(element, "faultcode").text = f"soapenv:{faultcode}"
    SubElement(element, "faultstring").text = faultstring
    if detail is not None:
        SubElement(element, "detail").append(detail)
    return envelope(element)


def catalogue_fault(code: str, params: Mapping[str, object], *, faultcode: str = "Client") -> bytes:
    """A Fault whose faultstring is the catalogue's Danish and English text for `code`."""
    described = error_catalogue().describe(code, params)
    return fault(faultcode, f"{code}: {described['text_da']} / {described['text_en']}")


def text_children(parent: Element, tag_ns: str, fields: Iterable[tuple[str, str | None]]) -> Element:
    """Append `<name>text</name>` children in `tag_ns` for every field whose text is not None."""
    for name, text in fields:
        if text is not None:
            SubElement(parent, f"{{{tag_ns}}}{name}").text = text
    return parent
