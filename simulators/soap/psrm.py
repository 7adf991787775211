"""PSRM over SOAP: `MFFordringIndberet_I` in SKAT's real shape in, the real `MFFordringIndberet_O` out.

Real names and nesting come from soap.md §1 [R], and the JSON contract of MFFordringIndberet_I follows them
name for name, so its elements map one to one; `contracts/soap/psrm.json` holds the little that still
differs (data, not code). MFKvitteringHent
and HoeringSvar are not public: their SOAP sides are simulator-defined, with the JSON contract's names.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any
from xml.etree.ElementTree import Element, SubElement

from testkommune import contracts
from testkommune.contracts.findings import Finding
from testkommune.simulators.operations import Operation
from testkommune.simulators.soap import shapes, tree
from testkommune.simulators.soap.envelope import register_prefix
from testkommune.simulators.soap.safexml import UnsafeXmlError, local, namespace


@cache
def binding_data() -> dict[str, Any]:
    """`contracts/soap/psrm.json`: how the real elements reach the JSON contract."""
    return json.loads((contracts.ROOT / "soap" / "psrm.json").read_text(encoding="utf-8"))


PSRM_NS = "http://skat.dk/begrebsmodel/2009/01/15/"
KONTEKST_NS = "http://skat.dk/begrebsmodel/xml/schemas/kontekst/2007/05/31/"
Warn = Callable[[Finding], None]
"""Receives each warning about the request (the binding journals them)."""
register_prefix("ns", PSRM_NS)
register_prefix("kontekst", KONTEKST_NS)

_AKTION_FIELDS = (
    "DMIFordringEFIFordringID",
    "DMIFordringEFIHovedFordringID",
    "DMIFordringFordringHaverRef",
    "MFAktionID",
    "MFAktionKode",
    "DMIFordringHaverID",
    "MFAktionStatusKode",
    "MFAktionStatusÆndretDato",
    "DMIFordringModtagelseDato",
)
"""`MFAktionStruktur`'s children in the captured answer's order (soap.md §1 [R])."""


class PsrmSoap:
    """Reads a PSRM request element into the operation's JSON message and writes its answer."""

    namespaces = (PSRM_NS, KONTEKST_NS)

    def __init__(self, schemas: shapes.Schemas) -> None:
        self.schemas = schemas
        self.data = binding_data()

    def request(self, operation: Operation, payload: Element, warn: Warn) -> dict[str, Any]:
        """The JSON message of the request element; unknown elements go to `warn` and are left out."""
        expected = f"{operation.name}_I"
        if namespace(payload.tag) != PSRM_NS or local(payload.tag) != expected:
            raise UnsafeXmlError("SOAP-UKENDT-OPERATION", f"{{{namespace(payload.tag)}}}{local(payload.tag)}")
        tree.prune(payload, self.namespaces, lambda path, _element: warn(unknown(path)))
        node, base = self.schemas.root(operation.contract_in)
        message = shapes.to_json(payload, self.schemas, node, base, self._classify(warn))
        if operation.name == "MFFordringIndberet":
            _kontekst(message, warn)
        return message

    def _classify(self, warn: Warn) -> shapes.OnExtra:
        known = frozenset(self.data["known"])

        def extra(path: str, element: Element) -> None:
            if local(element.tag) in known:
                warn(Finding("SOAP-ELEMENT-IKKE-BRUGT", path, {"field": path}))
            else:
                warn(unknown(path))

        return extra

    def answer(self, operation: Operation, body: dict[str, Any]) -> Element:
        """The answer element: the real `_O` shape for MFFordringIndberet, the contract's names otherwise."""
        root = Element(f"{{{PSRM_NS}}}{operation.name}_O")
        if operation.name == "MFFordringIndberet":
            _svar_kontekst(root, body.get("Kontekst", {}).get("HovedOplysningerSvar", {}))
            info = SubElement(root, f"{{{PSRM_NS}}}FordringInfo")
            _leverance(info, body["FordringInfo"])
            return root
        if operation.name == "MFKvitteringHent":
            _leverance(root, body)
            return root
        if operation.name == "HoeringSvar":  # the action's receipt: MFAktionStruktur's children
            aktion_children(root, body)
            return root
        node, base = self.schemas.root(operation.contract_out)
        shapes.children(root, body, PSRM_NS, self.schemas, node, base)
        return root


def _kontekst(message: dict[str, Any], warn: Warn) -> None:
    """An empty `Kontekst` (as in the public samples) gets a TransaktionsID, and a warning says so."""
    kontekst = message.get("Kontekst")
    if isinstance(kontekst, dict) and "HovedOplysninger" not in kontekst:
        assigned = str(uuid.uuid4())
        kontekst["HovedOplysninger"] = {
            "TransaktionsID": assigned,
            "TransaktionsTid": datetime.now(shapes.COPENHAGEN).isoformat(timespec="seconds"),
        }
        warn(Finding("SOAP-KONTEKST-TILDELT", "MFFordringIndberet_I/Kontekst", {"value": assigned}))


def _svar_kontekst(root: Element, svar: dict[str, Any]) -> None:
    kontekst = SubElement(root, f"{{{PSRM_NS}}}Kontekst")
    head = SubElement(kontekst, f"{{{KONTEKST_NS}}}HovedOplysningerSvar")
    for name in ("TransaktionsID", "ServiceID", "TransaktionsTid", "SvarReaktion"):
        if svar.get(name) is not None:
            SubElement(head, f"{{{KONTEKST_NS}}}{name}").text = str(svar[name])


def _leverance(parent: Element, info: dict[str, Any]) -> None:
    """FordringhaverSystemIDStruktur, MFLeveranceID and the per-action status, in the real shape."""
    system = info.get("FordringhaverSystemIDStruktur") or {}
    if system.get("VirksomhedSENummer"):
        holder = SubElement(parent, f"{{{PSRM_NS}}}FordringhaverSystemIDStruktur")
        SubElement(holder, f"{{{PSRM_NS}}}VirksomhedSENummer").text = system["VirksomhedSENummer"]
    SubElement(parent, f"{{{PSRM_NS}}}MFLeveranceID").text = str(info["MFLeveranceID"])
    samling = SubElement(parent, f"{{{PSRM_NS}}}FordringAktionStatusSamling")
    for status in info["FordringAktionStatusSamling"]["MFAktionStruktur"]:
        aktion_struktur(samling, status)


def aktion_struktur(parent: Element, status: dict[str, Any]) -> Element:
    """One `MFAktionStruktur` (soap.md §1 [R]); the hearing's reasons and state are simulator-defined."""
    element = SubElement(parent, f"{{{PSRM_NS}}}MFAktionStruktur")
    aktion_children(element, status)
    return element


def aktion_children(element: Element, status: dict[str, Any]) -> None:
    """`MFAktionStruktur`'s children: the real ones in the captured order, then the simulator's hearing."""
    for name in _AKTION_FIELDS:
        if status.get(name) is not None:
            SubElement(element, f"{{{PSRM_NS}}}{name}").text = str(status[name])
    _reasons(element, status.get("AfvistÅrsagSamling"), "AfvistÅrsagSamling", "MFAktionAfvist")
    _reasons(element, status.get("HoeringÅrsagSamling"), "HoeringÅrsagSamling", "MFAktionHoering")
    if status.get("HoeringStatus"):
        SubElement(element, f"{{{PSRM_NS}}}HoeringStatus").text = status["HoeringStatus"]


def _reasons(parent: Element, samling_json: Any, samling: str, prefix: str) -> None:
    """`…Samling/{prefix}Struktur{{prefix}Nummer, {prefix}Tekst}`: the real fields of the JSON answer's
    reasons (PSRM's own number where it has one); the simulator's structured error stays in JSON."""
    reasons = (samling_json or {}).get(f"{prefix}Struktur") if isinstance(samling_json, dict) else None
    if not reasons:
        return
    holder = SubElement(parent, f"{{{PSRM_NS}}}{samling}")
    for found in reasons:
        struct = SubElement(holder, f"{{{PSRM_NS}}}{prefix}Struktur")
        SubElement(struct, f"{{{PSRM_NS}}}{prefix}Nummer").text = str(found.get(f"{prefix}Nummer", ""))
        SubElement(struct, f"{{{PSRM_NS}}}{prefix}Tekst").text = str(found.get(f"{prefix}Tekst", ""))


def unknown(path: str) -> Finding:
    """The journal's warning for an element nobody knows (it was left out of the message)."""
    return Finding("SOAP-UKENDT-ELEMENT", path, {"field": path})
