"""ØiR over SOAP with Serviceplatformen's conventions (soap.md §2 [R]); SF1590 bodies are simulator-defined.

The request element `<Operation>_I` (target namespace of the service) starts with the optional contexts
`CallContext`, `AuthorityContext`, `InvocationContext`; the rest is the JSON contract's message, element for
field. The kommune comes from `AuthorityContext/MunicipalityCVR`, the calling system from
`InvocationContext/UserSystemUUID`; `X-TK-Kommune` / `X-TK-Anvendersystem` name them where the test
kommune cannot (a CVR no tenant has configured; a system registered under a name, not its UUID).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, SubElement

import sqlalchemy as sa
from testkommune.contracts.findings import Finding, describe_all
from testkommune.simulators import store
from testkommune.simulators.operations import Operation
from testkommune.simulators.soap import shapes, tree
from testkommune.simulators.soap.envelope import register_prefix
from testkommune.simulators.soap.safexml import UnsafeXmlError, local, namespace

SP_WSDL = "http://serviceplatformen.dk/xml/wsdl/soap11/"
SP_SCHEMAS = "http://serviceplatformen.dk/xml/schemas/"
CONTEXTS = ("CallContext", "AuthorityContext", "InvocationContext")
CONTEXT_NS = {name: f"{SP_SCHEMAS}{name}/1/" for name in CONTEXTS}
FAULT_NS = f"{SP_SCHEMAS}ServiceplatformFault/1/"
for _name, _uri in CONTEXT_NS.items():
    register_prefix(_name[0].lower() + "c", _uri)
register_prefix("spf", FAULT_NS)

Warn = Callable[[Finding], None]


def target_namespace(endpoint: str) -> str:
    """`/service/OIR/DebitorRegistreringAfsend/1` → Serviceplatformen's target namespace for it."""
    return SP_WSDL + endpoint.removeprefix("/service/").strip("/") + "/"


@dataclass(frozen=True, slots=True)
class Contexts:
    """What the request element's contexts say about the caller."""

    municipality_cvr: str | None
    user_system: str | None


class OirSoap:
    """Reads `<Operation>_I` into the operation's JSON message and writes `<Operation>_O`."""

    def __init__(self, schemas: shapes.Schemas, endpoint: str) -> None:
        self.schemas = schemas
        self.tns = target_namespace(endpoint)

    def request(self, operation: Operation, payload: Element, warn: Warn) -> tuple[dict[str, Any], Contexts]:
        if namespace(payload.tag) != self.tns or local(payload.tag) != f"{operation.name}_I":
            raise UnsafeXmlError("SOAP-UKENDT-OPERATION", f"{{{namespace(payload.tag)}}}{local(payload.tag)}")
        contexts = _contexts(payload)
        report = _unknown(warn)
        tree.prune(payload, (self.tns,), report)
        node, base = self.schemas.root(operation.contract_in)
        return shapes.to_json(payload, self.schemas, node, base, report), contexts

    def answer(self, operation: Operation, body: Any) -> Element:
        root = Element(f"{{{self.tns}}}{operation.name}_O")
        node, base = self.schemas.root(operation.contract_out)
        shapes.children(root, body or {}, self.tns, self.schemas, node, base)
        return root


def _unknown(warn: Warn) -> shapes.OnExtra:
    def report(path: str, _element: Element) -> None:
        warn(Finding("SOAP-UKENDT-ELEMENT", path, {"field": path}))

    return report


def _contexts(payload: Element) -> Contexts:
    """Take the contexts out of the request element (they are not part of the JSON message)."""
    found: dict[str, Element] = {}
    for element in list(payload):
        name = local(element.tag) if isinstance(element.tag, str) else ""
        if name in CONTEXTS and namespace(element.tag) == CONTEXT_NS[name]:
            found[name] = element
            payload.remove(element)
    cvr = _text(found.get("AuthorityContext"), "MunicipalityCVR")
    system = _text(found.get("InvocationContext"), "UserSystemUUID")
    return Contexts(cvr, system.lower() if system else None)


def _text(element: Element | None, name: str) -> str | None:
    found = tree.child(element, name) if element is not None else None
    text = (found.text or "").strip() if found is not None else ""
    return text or None


def tenant_headers(sim: Any, contexts: Contexts, headers: dict[str, str]) -> dict[str, str] | Finding:
    """The X-TK headers the call is made with: from the contexts, or the caller's own where given."""
    from_context = contexts.user_system if sim.access.open else None  # closed: the token names the system
    system = headers.get("x-tk-anvendersystem") or from_context or ""
    kommune = headers.get("x-tk-kommune", "")
    if contexts.municipality_cvr is not None:
        owners = _kommuner_with_cvr(sim, system, contexts.municipality_cvr)
        stated = kommune[1:] if len(kommune) == 4 and kommune.startswith("0") else kommune
        if len(owners) == 1 and stated and stated != owners[0]:
            return Finding(
                "SP-MYNDIGHED-FORSKEL",
                "AuthorityContext/MunicipalityCVR",
                {"value": contexts.municipality_cvr, "kommune": owners[0], "expected": stated},
            )
        if len(owners) == 1:
            kommune = owners[0]
        elif not kommune:
            return Finding(
                "SP-MYNDIGHED-UKENDT",
                "AuthorityContext/MunicipalityCVR",
                {"value": contexts.municipality_cvr},
            )
    out = {"x-tk-kommune": kommune} if kommune else {}
    return out | ({"x-tk-anvendersystem": system} if system else {})


def _kommuner_with_cvr(sim: Any, system: str, cvr: str) -> list[str]:
    """The kommuner whose tenant (of this system, when known) set this CVR as the kommune's (erp.kommune_cvr).

    A kommune's CVR is the kommune's, not one tenant's: with no system known (a closed kommune, where the
    token names it later) every tenant's setting counts, and two kommuner claiming one CVR resolve to none."""
    table = store.tenants
    query = sa.select(table.c.kommune, table.c.settings)
    with sim.store.transaction() as conn:
        rows = conn.execute(query.where(table.c.system == system) if system else query).all()
    return sorted({row.kommune for row in rows if (row.settings.get("erp") or {}).get("kommune_cvr") == cvr})


def fault_detail(errors: list[dict[str, Any]]) -> Element:
    """`ServiceplatformFault{ErrorList{Error+{ErrorCode, ErrorText}}}` (soap.md §2 [R])."""
    root = Element(f"{{{FAULT_NS}}}ServiceplatformFault")
    holder = SubElement(root, f"{{{FAULT_NS}}}ErrorList")
    for error in errors:
        item = SubElement(holder, f"{{{FAULT_NS}}}Error")
        SubElement(item, f"{{{FAULT_NS}}}ErrorCode").text = str(error.get("code") or error.get("ErrorCode"))
        SubElement(item, f"{{{FAULT_NS}}}ErrorText").text = str(
            error.get("text_da") or error.get("ErrorText")
        )
    return root


def finding_detail(finding: Finding) -> Element:
    return fault_detail(describe_all([finding]))
