"""SF1590_E operations: NKSBetalingsanmodningAfsend and NKSForretningssvarHent (oeir.md §3, §4.4 [C]).

Deliveries go through the ØiR hub, so a re-delivery with the same TransaktionsID gets the stored answer and
is booked once. The bundles that have fallen due are answered before the call by
`simulators.simulation.catch_up` (under the tenant lock when several workers share PostgreSQL).
"""

from __future__ import annotations

from typing import Any

from testkommune.contracts.findings import Finding
from testkommune.simulators.context import OpContext
from testkommune.simulators.nemkonto import service
from testkommune.simulators.oir.api import delivery
from testkommune.simulators.operations import Operation

SERVICE_PATH = "/service/OIR/NKSBetalingsanmodning/1"
"""SF1590_E under Serviceplatformen's pattern /service/OIR/{Service}/{major} (oeir.md §3.1 [I]); the
service name itself is not public, the operation names are (§3, §14 [C])."""


def _hent(sim: Any, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    transaktions_id = message.get("TransaktionsID")
    found = service.hent(ctx.conn, ctx.tenant, transaktions_id, ctx.now)
    if found is None:
        return 404, Finding("NK-TRANSAKTION-UKENDT", "$.TransaktionsID", {"value": transaktions_id})
    return 200, {"Forretningssvar": found}


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "nemkonto",
        "NKSBetalingsanmodningAfsend",
        f"{SERVICE_PATH}/NKSBetalingsanmodningAfsend",
        "nemkonto/NKSBetalingsanmodningAfsend_I",
        "nemkonto/NKSBetalingsanmodningAfsend_O",
        "SF1590_E: send a betalingsanmodning bundle (komplet/ukomplet payments) to NemKonto; "
        "the forretningssvar follows on the simulated clock",
        delivery(service.HUB_SERVICE, service.afsend),
    ),
    Operation(
        "nemkonto",
        "NKSForretningssvarHent",
        f"{SERVICE_PATH}/NKSForretningssvarHent",
        "nemkonto/NKSForretningssvarHent_I",
        "nemkonto/NKSForretningssvarHent_O",
        "SF1590_E: fetch NemKonto's forretningssvar: new ones, or one delivery's again by TransaktionsID",
        _hent,
    ),
)
