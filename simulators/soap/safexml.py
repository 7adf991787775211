"""XML parsed safely: no DTD, no entities, no network, bounded size and depth (the JSON path's bounds)."""

from __future__ import annotations

import io
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import iterparse
from testkommune.contracts.errors import TestkommuneError
from testkommune.simulators.http import MAX_BODY_BYTES, MAX_JSON_DEPTH

MAX_XML_DEPTH = MAX_JSON_DEPTH + 3
"""The JSON bound plus the three levels SOAP wraps a message in (Envelope, Body, the request element)."""
MAX_XML_ELEMENTS = 100_000
"""A leverance at its contract's limit (1,000 actions) is some 40,000 elements; more is refused while parsing,
so a body of a million empty elements costs a bounded moment, not seconds of parsing and translating."""


class UnsafeXmlError(TestkommuneError, ValueError):
    """The document was refused; `code` names the reason in the error catalogue."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def parse(raw: bytes) -> Element:
    """The document's root element, or UnsafeXmlError: malformed, a DTD or entity, too large or too deep."""
    if len(raw) > MAX_BODY_BYTES:
        raise UnsafeXmlError("SOAP-FOR-STOR", f"more than {MAX_BODY_BYTES} bytes")
    if not raw.strip():
        raise UnsafeXmlError("SOAP-TOM", "the body is empty")
    depth = elements = 0
    root: Element | None = None
    try:
        for event, element in iterparse(io.BytesIO(raw), events=("start", "end"), forbid_dtd=True):
            if event == "start":
                depth += 1
                elements += 1
                root = element if root is None else root
                if depth > MAX_XML_DEPTH:
                    raise UnsafeXmlError("SOAP-FOR-DYB", f"nested deeper than {MAX_XML_DEPTH} levels")
                if elements > MAX_XML_ELEMENTS:
                    raise UnsafeXmlError("SOAP-FOR-STOR", f"more than {MAX_XML_ELEMENTS} elements")
            else:
                depth -= 1
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as exc:
        raise UnsafeXmlError("SOAP-DTD", type(exc).__name__) from None
    except ParseError as exc:
        raise UnsafeXmlError("SOAP-UGYLDIG-XML", str(exc)) from None
    if root is None:
        raise UnsafeXmlError("SOAP-TOM", "no element")
    return root


def local(tag: str) -> str:
    """An element's local name (`{namespace}name` → `name`)."""
    return tag.rpartition("}")[2]


def namespace(tag: str) -> str:
    """An element's namespace URI ('' when it has none)."""
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""
