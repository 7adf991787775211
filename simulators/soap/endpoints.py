"""The SOAP endpoints, derived from the same operation list as the JSON routes (so the bindings cannot drift).

PSRM: one service at `/psrm` (each operation's own path answers too). ØiR and the other Serviceplatformen
services: one service per `/service/<Area>/<Service>/<major>`, the operation chosen by the request element
and `soapAction` (target namespace + operation).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from testkommune.simulators.operations import Operation
from testkommune.simulators.soap.safexml import UnsafeXmlError, local

PSRM_PATH = "/psrm"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One SOAP service: its address, its kind (`psrm` or `sp`, Serviceplatformen) and its operations."""

    path: str
    kind: str
    operations: dict[str, Operation] = field(default_factory=dict)

    def operation(self, payload: Element, soap_action: str | None) -> Operation:
        """The operation the request element names; a soapAction, when sent, must name the same one."""
        name = local(payload.tag).removesuffix("_I")
        operation = self.operations.get(name)
        if operation is None or local(payload.tag) != f"{name}_I":
            raise UnsafeXmlError("SOAP-UKENDT-OPERATION", local(payload.tag))
        action = (soap_action or "").strip().strip('"').rstrip("/")
        if action and action.rpartition("/")[2] != name:
            raise UnsafeXmlError("SOAP-UKENDT-OPERATION", f"soapAction {action} for {local(payload.tag)}")
        return operation


def endpoints(operations: Iterable[Operation]) -> dict[str, Endpoint]:
    """Every SOAP address → its endpoint (a service's address and each of its operations' paths)."""
    services: dict[str, Endpoint] = {}
    for op in operations:
        if op.counterpart == "psrm":
            service = services.setdefault(PSRM_PATH, Endpoint(PSRM_PATH, "psrm"))
        elif op.path.startswith("/service/"):
            address = op.path.rpartition("/")[0]
            service = services.setdefault(address, Endpoint(address, "sp"))
        else:
            continue
        service.operations[op.name] = op
    by_path = dict(services)
    for service in services.values():
        for op in service.operations.values():
            by_path.setdefault(op.path, service)
    return by_path
