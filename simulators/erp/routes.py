"""SF1590_A operations: ModtagFinansbilag (straks), ModtagFinansbilagMasse, HentForretningskvittering.

Deliveries go through the ØiR hub, so a re-delivery with the same TransaktionsID gets the stored answer and
is booked once. The masseleverance bilag that have fallen due are processed before the call by
`simulators.simulation.catch_up` (under the tenant lock when several workers share PostgreSQL).
"""

from __future__ import annotations

from typing import Any

from testkommune.contracts.findings import Finding
from testkommune.simulators.context import OpContext
from testkommune.simulators.erp import opsaetning, service
from testkommune.simulators.erp.profiles import profile_for
from testkommune.simulators.erp.rules import leveranceform_modtages
from testkommune.simulators.oir.api import delivery
from testkommune.simulators.operations import Handler, Operation

SERVICE_PATH = "/service/OIR/ModtagFinansbilag/2"
"""Serviceplatformen's service 'ØiR ModtagFinansbilag v2' (oeir.md §4.1) under the pattern of §3.1 [I]."""


def _offered(leverance: str, handler: Handler) -> Handler:
    """Refuse a delivery form the tenant's ERP does not take (`rules.leveranceform_modtages`) before ØiR
    claims its TransaktionsID, so the fagsystem may deliver the same bilag in the other form."""

    def handle(sim: Any, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
        profile = profile_for(ctx.settings)
        refused = leveranceform_modtages(
            leverance, opsaetning.erp_settings(ctx.settings), profile.id if profile else None
        )
        return (400, refused) if refused is not None else handler(sim, ctx, message)

    return handle


def _hent(sim: Any, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    found = service.hent(ctx.conn, ctx.tenant, message["TransaktionsID"])
    if found is None:
        return 404, Finding(
            "ERP-TRANSAKTION-UKENDT", "$.TransaktionsID", {"value": message["TransaktionsID"]}
        )
    return 200, found


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "erp",
        "ModtagFinansbilag",
        f"{SERVICE_PATH}/ModtagFinansbilag",
        "erp/ModtagFinansbilag_I",
        "erp/ModtagFinansbilag_O",
        "SF1590_A: deliver a finansbilag (straks); booked on the kommune's kontostrenge or rejected whole",
        _offered("straks", delivery(service.HUB_SERVICE, service.modtag_straks)),
    ),
    Operation(
        "erp",
        "ModtagFinansbilagMasse",
        f"{SERVICE_PATH}/ModtagFinansbilagMasse",
        "erp/ModtagFinansbilagMasse_I",
        "erp/ModtagFinansbilagMasse_O",
        "SF1590_A: deliver a batch of finansbilag (masse); business answers follow on the simulated clock",
        _offered("masse", delivery(service.HUB_SERVICE, service.modtag_masse)),
    ),
    Operation(
        "erp",
        "HentForretningskvittering",
        f"{SERVICE_PATH}/HentForretningskvittering",
        "erp/HentForretningskvittering_I",
        "erp/HentForretningskvittering_O",
        "SF1590_A: fetch the forretningskvittering(er) of a delivery again by its TransaktionsID",
        _hent,
    ),
)
