"""Every SOAP exchange in the tenant's journal: the envelope as sent and as answered, and the warnings."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import NoResultFound
from starlette.concurrency import run_in_threadpool
from testkommune.contracts.clock import real_now
from testkommune.contracts.findings import describe_all
from testkommune.simulators.access import Refusal
from testkommune.simulators.journal import journal
from testkommune.simulators.tenancy import Tenant, read_clock

COUNTERPART = "soap"


async def record(sim: Any, call: Any) -> None:
    """Journal the exchange beside the JSON route's own entry (counterpart `soap`, operation `SOAP <name>`).

    A call refused before its operation was known is journalled as `SOAP ?`; one that never named a tenant
    the test kommune knows is not journalled."""
    tenant = _tenant(sim, call)
    if tenant is None:
        return
    if sim.store.shared:
        await run_in_threadpool(_write, sim, tenant, call)
    else:
        _write(sim, tenant, call)


def _tenant(sim: Any, call: Any) -> Tenant | None:
    headers = {**call.headers, **call.tenant_headers}
    kommune = headers.get("x-tk-kommune", "")
    system = headers.get("x-tk-anvendersystem", "")
    if not sim.access.open:
        number = kommune[1:] if len(kommune) == 4 and kommune.startswith("0") else kommune
        name = call.operation.name if call.operation is not None else ""
        allowed = sim.access.service(headers.get("authorization"), number, system or None, name)
        if isinstance(allowed, Refusal):
            return None
        system = allowed
    return Tenant.parse(kommune, system)


def _write(sim: Any, tenant: Tenant, call: Any) -> None:
    with sim.store.transaction() as conn:
        try:
            clock = read_clock(conn, tenant)
        except NoResultFound:
            return
        journal(
            conn,
            tenant,
            now=clock.now(real_now()),
            counterpart=COUNTERPART,
            operation=f"SOAP {call.operation.name if call.operation is not None else '?'}",
            method="POST",
            path=call.path,
            status=call.status,
            request=call.raw.decode("utf-8", errors="replace"),
            response={
                "answer": call.answer.decode("utf-8", errors="replace"),
                "warnings": describe_all(call.warnings),
                "warnings_dropped": call.warnings_dropped,
            },
        )
