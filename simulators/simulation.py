"""The composition root of the simulators: store, contracts, clocks, faults, and the per-call context."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from harness.core.catalogue import error_catalogue
from harness.core.clock import ClockState, danish_date, iso, real_now
from harness.core.contracts import ContractSet, contract_set
from harness.core.fordringstyper import fordringstyper
from simulators import store
from simulators.access import AccessPolicy
from simulators.context import OpContext
from simulators.debitor import opkraevning
from simulators.debitor import service as debitor
from simulators.erp import service as erp
from simulators.faults import Fault, take
from simulators.nemkonto import service as nemkonto
from simulators.psrm import inddrivelse
from simulators.psrm import service as psrm
from simulators.rules.fordring import hoering_rules, psrm_filter
from simulators.tenancy import Tenant, ensure_tenant, read_clock

JOURNAL_KEEP = 5000
JOURNAL_TEXT_LIMIT = 64 * 1024


@dataclass
class Simulation:
    """Everything the HTTP shells need; one per server process."""

    store: store.Store
    contracts: ContractSet = field(default_factory=contract_set)
    start_clock: ClockState | None = None
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    access: AccessPolicy = field(default_factory=AccessPolicy)

    def __post_init__(self) -> None:
        self.contracts.compile_all()
        missing = psrm_filter.check_against(error_catalogue()) + hoering_rules.check_against(
            error_catalogue()
        )
        if missing:
            raise RuntimeError(f"rules raise codes missing from the error catalogue: {missing}")
        fordringstyper()

    @contextmanager
    def operation(self, tenant: Tenant) -> Iterator[OpContext]:
        """One transaction for one call: the tenant's settings and now, with due batch work done first."""
        real = real_now()
        with self.store.transaction() as conn:
            settings = ensure_tenant(conn, tenant, real, self.start_clock)
            now = read_clock(conn, tenant).now(real)
            catch_up(conn, tenant, settings, now)
            yield OpContext(conn=conn, tenant=tenant, now=now, settings=settings)

    def take_fault(
        self, tenant: Tenant, phase: tuple[str, ...], operation: str, counterpart: str, now: datetime
    ) -> Fault | None:
        return take(self.faults.get(tenant.key, []), phase, operation, counterpart, now)


def catch_up(conn: Connection, tenant: Tenant, settings: dict[str, Any], now: datetime) -> None:
    """Run the batch jobs whose time has come on the simulated clock (PSRM processing, receipts back)."""
    psrm.process_due(conn, tenant, settings, now)
    inddrivelse.apply_due_payments(conn, tenant, danish_date(now), now)
    erp.process_due(conn, tenant, settings, now)
    debitor.sync_from_psrm(conn, tenant, now)
    opkraevning.process_due(conn, tenant, settings, now)
    nemkonto.process_due(conn, tenant, settings, now)


def journal(
    conn: Connection,
    tenant: Tenant,
    *,
    now: datetime,
    counterpart: str,
    operation: str,
    method: str,
    path: str,
    status: int,
    request: Any,
    response: Any,
) -> None:
    """Record one exchange (bounded per tenant) as evidence of what was sent and answered."""
    result = conn.execute(
        sa.insert(store.journal).values(
            tenant=tenant.key,
            sim_time=iso(now),
            real_time=iso(real_now()),
            counterpart=counterpart,
            operation=operation,
            method=method,
            path=path,
            status=status,
            request=_text(request),
            response=_text(response),
        )
    )
    row_id = int(result.inserted_primary_key[0])
    if row_id % 500 == 0:
        conn.execute(
            sa.delete(store.journal).where(
                store.journal.c.tenant == tenant.key, store.journal.c.id <= row_id - JOURNAL_KEEP
            )
        )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= JOURNAL_TEXT_LIMIT else text[:JOURNAL_TEXT_LIMIT] + "…"
