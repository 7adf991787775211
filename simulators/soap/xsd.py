"""XML Schema generated from the JSON contracts: one named complex type per object, lists as repeats."""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, SubElement

from testkommune.simulators.soap.shapes import Schemas, kind

XS = "http://www.w3.org/2001/XMLSchema"
_SIMPLE = {
    "string": "string",
    "number": "decimal",
    "integer": "integer",
    "boolean": "boolean",
    "scalar": "string",
}
_FORMATS = {"date": "date", "date-time": "dateTime"}
REASONS = "x-soap-reasons"
"""A contract's annotation on a reason list: the real structure the SOAP side writes for each reason."""


class TypeWriter:
    """Writes `xs:complexType`s into one `xs:schema`, named after the JSON node they come from."""

    def __init__(self, schemas: Schemas, schema: Element) -> None:
        self.schemas = schemas
        self.schema = schema
        self.names: dict[tuple[str, str], str] = {}

    def element(self, parent: Element, name: str, node: dict[str, Any], base: str, hint: str, **occurs: str):
        """Append `<xs:element name=…>` for a JSON node (resolving `$ref`s) to a sequence."""
        if isinstance(node.get(REASONS), str):
            return reasons_element(parent, name, node[REASONS])
        key = (base, node.get("$ref", "")) if "$ref" in node else None
        resolved, where = self.schemas.resolve(node, base)
        shape = kind(resolved)
        attrs = {"name": name, **occurs}
        if shape == "array":
            attrs |= {"minOccurs": attrs.get("minOccurs", "0"), "maxOccurs": "unbounded"}
            item = resolved.get("items", {})
            return self.element(
                parent, name, item, where, hint, **{k: attrs[k] for k in ("minOccurs", "maxOccurs")}
            )
        if _nullable(resolved):
            attrs["nillable"] = "true"
        if shape == "object" and resolved.get("properties"):
            attrs["type"] = "tns:" + self.complex(resolved, where, _type_name(key, hint))
        elif shape == "object" or shape == "any":
            attrs["type"] = "xs:anyType"
        else:
            attrs["type"] = "xs:" + _FORMATS.get(resolved.get("format", ""), _SIMPLE.get(shape, "string"))
        return SubElement(parent, f"{{{XS}}}element", attrs)

    def complex(self, node: dict[str, Any], base: str, name: str) -> str:
        """The name of the complex type for an object node, written on first use."""
        key = (base, str(id(node)))
        if key in self.names:
            return self.names[key]
        unique = name
        while unique in self.names.values():
            unique += "_"
        self.names[key] = unique
        complex_type = SubElement(self.schema, f"{{{XS}}}complexType", {"name": unique})
        sequence = SubElement(complex_type, f"{{{XS}}}sequence")
        required = set(node.get("required", []))
        for prop, sub in node.get("properties", {}).items():
            occurs = {} if prop in required else {"minOccurs": "0"}
            self.element(sequence, prop, sub, base, f"{unique}_{prop}", **occurs)
        open_ended(sequence, node)
        return unique


def reasons_element(parent: Element, name: str, prefix: str) -> Element:
    """A reason list the SOAP binding writes as `name/{prefix}Struktur*{{prefix}Nummer, {prefix}Tekst}`."""
    element = SubElement(parent, f"{{{XS}}}element", {"name": name, "minOccurs": "0"})
    sequence = SubElement(SubElement(element, f"{{{XS}}}complexType"), f"{{{XS}}}sequence")
    repeated = {"name": f"{prefix}Struktur", "minOccurs": "0", "maxOccurs": "unbounded"}
    struct = SubElement(sequence, f"{{{XS}}}element", repeated)
    fields = SubElement(SubElement(struct, f"{{{XS}}}complexType"), f"{{{XS}}}sequence")
    for part in ("Nummer", "Tekst"):
        SubElement(fields, f"{{{XS}}}element", {"name": f"{prefix}{part}", "type": "xs:string"})
    return element


def open_ended(sequence: Element, node: dict[str, Any]) -> None:
    """A JSON object open to more fields (no `additionalProperties: false`) ends with `xs:any`: the answer
    may carry fields the contract does not list, and a generated client keeps them instead of failing."""
    if node.get("additionalProperties", True) is not False:
        attrs = {"minOccurs": "0", "maxOccurs": "unbounded", "processContents": "lax"}
        SubElement(sequence, f"{{{XS}}}any", attrs)


def _nullable(node: dict[str, Any]) -> bool:
    declared = node.get("type")
    return isinstance(declared, list) and "null" in declared


def _type_name(key: tuple[str, str] | None, hint: str) -> str:
    """A readable type name: the `$defs` name a `$ref` points at, else the path it was met on."""
    if key is not None and "/$defs/" in key[1]:
        return re.sub(r"\W", "_", key[1].rpartition("/")[2]) + "Type"
    return re.sub(r"\W", "_", hint) + "Type"
