"""Every SOAP exchange in the tenant's journal: the envelope as sent and as answered, and the warnings."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from testkommune.contracts.findings import describe_all
from testkommune.simulators.journal import journal_apart
from testkommune.simulators.tenancy import Tenant, caller

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
    name = call.operation.name if call.operation is not None else ""
    tenant = caller(sim.access, {**call.headers, **call.tenant_headers}, name)
    return tenant if isinstance(tenant, Tenant) else None


def _write(sim: Any, tenant: Tenant, call: Any) -> None:
    journal_apart(
        sim.store,
        tenant,
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
