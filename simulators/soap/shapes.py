"""XML ↔ JSON guided by a message's JSON Schema: the contract says which element is a list, a number, a date.

Elements the schema does not know are not an error: they are handed to `on_extra` (the binding records a
warning) and left out of the message; the contract check that follows judges what remains.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urljoin
from xml.etree.ElementTree import Element, SubElement
from zoneinfo import ZoneInfo

from testkommune.contracts.schemas import ContractSet
from testkommune.simulators.soap.envelope import XSI
from testkommune.simulators.soap.safexml import local

OnExtra = Callable[[str, Element], None]
"""(path of the element, the element) for an element the schema has no place for."""

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
_DATE_WITH_ZONE = re.compile(r"^(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})$")
_SCALARS = ("string", "number", "integer", "boolean", "null")
MAX_NUMBER_TEXT = 64
MAX_EXPONENT = 300
"""A number's text and size are bounded before it is converted (`1e999999999` as an integer would take the
memory of a billion digits); one beyond stays text, and the contract check refuses it as the wrong type."""


class Schemas:
    """Every contract by `$id`, with `$ref`s resolved relative to the schema they appear in."""

    def __init__(self, contracts: ContractSet) -> None:
        self.by_id = {raw["$id"]: raw for raw in contracts.raw.values()}
        self.by_name = contracts.raw

    def root(self, contract: str) -> tuple[dict[str, Any], str]:
        raw = self.by_name[contract]
        return raw, raw["$id"]

    def resolve(self, node: dict[str, Any], base: str) -> tuple[dict[str, Any], str]:
        """Follow `$ref`s to the node they name; returns the node and the `$id` it lives in."""
        for _ in range(32):
            ref = node.get("$ref")
            if not isinstance(ref, str):
                return node, base
            uri, _, pointer = urljoin(base, ref).partition("#")
            target: Any = self.by_id[uri]
            for part in filter(None, pointer.split("/")):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node, base = target, uri
        raise ValueError(f"$ref chain too long at {base}")


def kind(node: dict[str, Any]) -> str:
    """object, array, any, or the scalar type of a (resolved) schema node."""
    declared = node.get("type")
    types = [declared] if isinstance(declared, str) else list(declared or [])
    real = [t for t in types if t != "null"]
    if "properties" in node or real == ["object"]:
        return "object"
    if real == ["array"] or "items" in node:
        return "array"
    if len(real) == 1 and real[0] in _SCALARS:
        return real[0]
    if not real and "enum" in node:
        return "string" if all(isinstance(v, str) for v in node["enum"]) else "any"
    if not real and "const" in node:
        return "string" if isinstance(node["const"], str) else "any"
    if set(real) <= {"number", "boolean", "string", "integer"} and real:
        return "scalar"
    return "any"


def to_json(element: Element, schemas: Schemas, node: dict[str, Any], base: str, on_extra: OnExtra) -> Any:
    """The JSON value of `element` as the schema node describes it."""
    return _value(element, schemas, node, base, on_extra, local(element.tag))


def _value(element: Element, schemas: Schemas, node: dict[str, Any], base: str, on_extra: OnExtra, path: str):
    node, base = schemas.resolve(node, base)
    shape = kind(node)
    if element.get(f"{{{XSI}}}nil") in ("true", "1"):
        return None
    if shape == "object":
        return _object(element, schemas, node, base, on_extra, path)
    if shape == "any":
        return _untyped(element)
    return _scalar((element.text or "").strip(), shape, node.get("format"))


def _object(
    element: Element, schemas: Schemas, node: dict[str, Any], base: str, on_extra: OnExtra, path: str
):
    properties: dict[str, Any] = node.get("properties", {})
    if not properties and node.get("additionalProperties", True) is not False:
        return _untyped(element)
    out: dict[str, Any] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = local(child.tag)
        child_path = f"{path}/{name}"
        if name not in properties:
            on_extra(child_path, child)
            continue
        prop, prop_base = schemas.resolve(properties[name], base)
        if kind(prop) == "array":
            items = prop.get("items", {})
            out.setdefault(name, []).append(_value(child, schemas, items, prop_base, on_extra, child_path))
        else:
            out[name] = _value(child, schemas, prop, prop_base, on_extra, child_path)
    return out


def _untyped(element: Element) -> Any:
    """An element the schema leaves open: its text, or its children by name (repeats become lists)."""
    children = [c for c in element if isinstance(c.tag, str)]
    if not children:
        return (element.text or "").strip()
    out: dict[str, Any] = {}
    for child in children:
        name, value = local(child.tag), _untyped(child)
        if name in out:
            out[name] = [*out[name], value] if isinstance(out[name], list) else [out[name], value]
        else:
            out[name] = value
    return out


def _scalar(text: str, shape: str, fmt: str | None) -> Any:
    """The text as the JSON type the schema wants; text that does not fit stays text (the contract judges)."""
    if shape in ("number", "integer", "scalar") and len(text) <= MAX_NUMBER_TEXT:
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite() and abs(number.adjusted()) <= MAX_EXPONENT:
            if shape == "integer" or (shape == "scalar" and number == number.to_integral_value()):
                return int(number) if number == number.to_integral_value() else float(number)
            return float(number)
    if shape in ("boolean", "scalar") and text in ("true", "false", "1", "0"):
        return text in ("true", "1")
    if fmt == "date" and (match := _DATE_WITH_ZONE.match(text)):
        return match.group(1)  # xs:date may carry a zone; a calendar date has none
    if fmt == "date-time":
        return _instant(text)
    return text


def _instant(text: str) -> str:
    """xs:dateTime without a zone is read as Danish local time (the sender's), with the zone made explicit."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if parsed.tzinfo is not None:
        return text
    return parsed.replace(tzinfo=COPENHAGEN).isoformat()


def to_xml(
    parent: Element, name: str, value: Any, ns: str, schemas: Schemas, node: dict[str, Any], base: str
):
    """Append `value` under `parent` as element(s) `name` in `ns`, children in the schema's order."""
    node, base = schemas.resolve(node, base)
    if isinstance(value, list):
        items = node.get("items", {}) if kind(node) == "array" else {}
        for item in value:
            to_xml(parent, name, item, ns, schemas, items, base)
        return
    element = SubElement(parent, f"{{{ns}}}{name}")
    if value is None:
        element.set(f"{{{XSI}}}nil", "true")
    elif isinstance(value, dict):
        children(element, value, ns, schemas, node, base)
    else:
        element.text = scalar_text(value)


def children(
    parent: Element, value: dict[str, Any], ns: str, schemas: Schemas, node: dict[str, Any], base: str
):
    """Append an object's fields under `parent`: the schema's properties in its order, then any others."""
    node, base = schemas.resolve(node, base)
    properties: dict[str, Any] = node.get("properties", {})
    ordered = [k for k in properties if k in value] + [k for k in value if k not in properties]
    for key in ordered:
        to_xml(parent, key, value[key], ns, schemas, properties.get(key, {}), base)


def scalar_text(value: Any) -> str:
    """A JSON scalar as XML Schema text (booleans lower-case, amounts without exponent)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value)
