"""WSDL 1.1 documents (SOAP 1.1, document/literal) generated from the contracts, one per SOAP service.

Served at `GET <service address>?wsdl`: for Serviceplatformen's services (ØiR, NemKonto, Klassifikation)
the request element admits its contexts first (soap.md §2 [R]); for PSRM (`GET /psrm?wsdl`, SKAT's
namespace) the JSON contracts follow the real structure of soap.md §1 where it is public, so the document
generated from them describes what the SOAP side reads. Every element is generated from the JSON contract,
nothing is written by hand.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET
from xml.etree.ElementTree import Element, SubElement

from testkommune.simulators.soap import oir
from testkommune.simulators.soap.endpoints import Endpoint
from testkommune.simulators.soap.psrm import PSRM_NS
from testkommune.simulators.soap.shapes import Schemas
from testkommune.simulators.soap.xsd import XS, TypeWriter, open_ended

LOCATION = "http://testkommune.invalid"
"""Stands for the served address in a generated document; replaced by the address the WSDL was fetched at."""
WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
ET.register_namespace("wsdl", WSDL)
ET.register_namespace("soap", WSOAP)
ET.register_namespace("xs", XS)


def wsdl_documents(schemas: Schemas, endpoints: dict[str, Endpoint]) -> dict[str, bytes]:
    """Every SOAP service's address → its WSDL (the operations' own paths serve their service's)."""
    written: dict[str, bytes] = {}
    out: dict[str, bytes] = {}
    for path, endpoint in endpoints.items():
        if endpoint.path not in written:
            written[endpoint.path] = ET.tostring(
                _wsdl(schemas, endpoint), encoding="utf-8", xml_declaration=True
            )
        out[path] = written[endpoint.path]
    return out


def _wsdl(schemas: Schemas, endpoint: Endpoint) -> Element:
    tns = PSRM_NS if endpoint.kind == "psrm" else oir.target_namespace(endpoint.path)
    name = "PSRM" if endpoint.kind == "psrm" else endpoint.path.removeprefix("/service/").replace("/", "_")
    root = Element(f"{{{WSDL}}}definitions", {"name": name, "targetNamespace": tns})
    root.set("xmlns:tns", tns)
    types = SubElement(root, f"{{{WSDL}}}types")
    schema = SubElement(types, f"{{{XS}}}schema", {"targetNamespace": tns, "elementFormDefault": "qualified"})
    schema.set("xmlns:tns", tns)
    writer = TypeWriter(schemas, schema)
    port_type = SubElement(root, f"{{{WSDL}}}portType", {"name": f"{name}PortType"})
    binding = SubElement(
        root, f"{{{WSDL}}}binding", {"name": f"{name}Binding", "type": f"tns:{name}PortType"}
    )
    SubElement(
        binding,
        f"{{{WSOAP}}}binding",
        {"style": "document", "transport": "http://schemas.xmlsoap.org/soap/http"},
    )
    for op in endpoint.operations.values():
        for suffix, contract in (("_I", op.contract_in), ("_O", op.contract_out)):
            _message_element(
                writer, schema, f"{op.name}{suffix}", contract, endpoint.kind == "sp" and suffix == "_I"
            )
            message = SubElement(root, f"{{{WSDL}}}message", {"name": f"{op.name}{suffix}"})
            SubElement(
                message, f"{{{WSDL}}}part", {"name": "parameters", "element": f"tns:{op.name}{suffix}"}
            )
        _operation(port_type, binding, tns, op.name)
    service = SubElement(root, f"{{{WSDL}}}service", {"name": name})
    port = SubElement(service, f"{{{WSDL}}}port", {"name": f"{name}Port", "binding": f"tns:{name}Binding"})
    SubElement(port, f"{{{WSOAP}}}address", {"location": f"{LOCATION}{endpoint.path}"})
    return root


def _message_element(writer: TypeWriter, schema: Element, name: str, contract: str, contexts: bool) -> None:
    node, base = writer.schemas.resolve(*writer.schemas.root(contract))
    element = SubElement(schema, f"{{{XS}}}element", {"name": name})
    complex_type = SubElement(element, f"{{{XS}}}complexType")
    sequence = SubElement(complex_type, f"{{{XS}}}sequence")
    if contexts:
        for context in oir.CONTEXTS:
            SubElement(
                sequence,
                f"{{{XS}}}any",
                {"namespace": oir.CONTEXT_NS[context], "minOccurs": "0", "processContents": "lax"},
            )
    required = set(node.get("required", []))
    for prop, sub in node.get("properties", {}).items():
        writer.element(
            sequence, prop, sub, base, f"{name}_{prop}", **({} if prop in required else {"minOccurs": "0"})
        )
    open_ended(sequence, node)


def _operation(port_type: Element, binding: Element, tns: str, name: str) -> None:
    operation = SubElement(port_type, f"{{{WSDL}}}operation", {"name": name})
    SubElement(operation, f"{{{WSDL}}}input", {"message": f"tns:{name}_I"})
    SubElement(operation, f"{{{WSDL}}}output", {"message": f"tns:{name}_O"})
    bound = SubElement(binding, f"{{{WSDL}}}operation", {"name": name})
    SubElement(bound, f"{{{WSOAP}}}operation", {"soapAction": tns + name, "style": "document"})
    for direction in ("input", "output"):
        SubElement(SubElement(bound, f"{{{WSDL}}}{direction}"), f"{{{WSOAP}}}body", {"use": "literal"})
