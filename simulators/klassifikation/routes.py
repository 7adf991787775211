"""The Klassifikationssystem's operations: SF1510 Soeg and List, and the fagsystem's PublicerSortiment.

Publishing is an operation, not an admin call: the sortiment is the fagsystem's own (its owner publishes it,
KP MI 03/MI 12, oeir.md §6 [C]), so the vendor's system is the actor, with its tenant headers and access
rules like every other call. A re-delivery with the same TransaktionsID gets the stored answer and publishes
once (`simulators.oir.hub.deliver`). Each handler first hands due versions to the subscribing ERP (SF7002).
"""

from __future__ import annotations

from typing import Any

from testkommune.contracts.findings import Finding
from testkommune.simulators.context import OpContext
from testkommune.simulators.klassifikation import service
from testkommune.simulators.oir.api import delivery
from testkommune.simulators.operations import Operation

SERVICE_PATH = "/service/Klassifikation/KlasseService/7"
"""SF1510 KlasseService v7.0 (oeir.md §3 [C]) under Serviceplatformen's /service/{area}/{Service}/{major}
pattern [I]; PublicerSortiment is testkommune's model of the import side (SF1510 '+ import/export' [C])."""


def _catch_up(ctx: OpContext) -> None:
    service.lever_forfaldne(ctx.conn, ctx.tenant, ctx.now)


_deliver_publicer = delivery(service.HUB_SERVICE, service.publicer)


def _publicer(sim: Any, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    _catch_up(ctx)
    return _deliver_publicer(sim, ctx, message)


def _soeg(sim: Any, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    _catch_up(ctx)
    return 200, {
        "Klasser": service.soeg(ctx.conn, ctx.tenant, message.get("Klassifikation"), message.get("Kode"))
    }


def _list(sim: Any, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    _catch_up(ctx)
    all_versions = service.versions(ctx.conn, ctx.tenant)
    current = all_versions[-1].version
    wanted = int(message.get("Version", current))  # JSON Schema counts 1.0 as an integer
    if not 1 <= wanted <= current:
        return 404, Finding("KLS-VERSION-UKENDT", "$.Version", {"value": wanted, "expected": current})
    return 200, {"Sortiment": service.sortiment_view(all_versions[wanted - 1], current)}


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "klassifikation",
        "PublicerSortiment",
        f"{SERVICE_PATH}/PublicerSortiment",
        "klassifikation/PublicerSortiment_I",
        "klassifikation/PublicerSortiment_O",
        "Klassifikationssystem: publish a new version of your sortiment; subscribers (the ERP, SF7002) "
        "receive it on the simulated clock",
        _publicer,
    ),
    Operation(
        "klassifikation",
        "SoegKlassifikation",
        f"{SERVICE_PATH}/Soeg",
        "klassifikation/SoegKlassifikation_I",
        "klassifikation/SoegKlassifikation_O",
        "SF1510 Soeg: search your klassifikation values by klassifikation and code or UUID",
        _soeg,
    ),
    Operation(
        "klassifikation",
        "ListSortiment",
        f"{SERVICE_PATH}/List",
        "klassifikation/ListSortiment_I",
        "klassifikation/ListSortiment_O",
        "SF1510 List: the current version of your sortiment, or the version named",
        _list,
    ),
)
