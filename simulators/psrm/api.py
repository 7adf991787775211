"""PSRM as the kommune's debitor system meets it: submit a leverance, read an action's receipt, read the news
on claims since a cursor. The only way another counterpart reaches PSRM (never its tables).

`submit` is journalled in the tenant's journal like any other message (method INTERN: a leg between two
counterparts of the test kommune, not a call over HTTP).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from testkommune.contracts.schemas import contract_set
from testkommune.simulators.context import OpContext
from testkommune.simulators.journal import journal
from testkommune.simulators.psrm import felter, service, tables
from testkommune.simulators.psrm.routes import OPERATIONS
from testkommune.simulators.rules.fordring import Agreement
from testkommune.simulators.tenancy import Tenant

_SUBMIT = next(op for op in OPERATIONS if op.name == "MFFordringIndberet")


def agreement(settings: dict[str, Any]) -> Agreement:
    """The claimant's agreement with PSRM (fordringshaveraftale), from the tenant's settings."""
    return service.agreement(settings)


def submit(ctx: OpContext, message: dict[str, Any]) -> dict[str, Any]:
    """MFFordringIndberet: each action taken for processing (MODTAGET) or refused at once (AFVIST).

    The message must keep PSRM's contract: a message that breaks it is a defect of the caller's mapping
    (AssertionError), never something to send.
    """
    problems = contract_set().get(_SUBMIT.contract_in).check(message)
    lifted, missing = felter.lift_aktion_ids(message)
    if problems or missing:
        raise AssertionError(f"a message to PSRM breaks its contract: {problems or missing}")
    answer = service.indberet(ctx, lifted)
    journal(
        ctx.conn,
        ctx.tenant,
        now=ctx.now,
        counterpart=_SUBMIT.counterpart,
        operation=_SUBMIT.name,
        method="INTERN",
        path=_SUBMIT.path,
        status=200,
        request=message,
        response=answer,
    )
    return answer


@dataclass(frozen=True, slots=True)
class Kvittering:
    """PSRM's word on one action: its own status, and the receipt as MFKvitteringHent gives it."""

    aktion_id: str
    status: str
    """PSRM's status of the action: MODTAGET, HOERING, AFVENTER_RIM, UDFOERT or AFVIST."""
    receipt: dict[str, Any]
    fordring_id: str | None
    hovedfordring_id: str | None
    errors: list[Any]


def receipt(conn: Connection, tenant: Tenant, aktion_id: str) -> Kvittering | None:
    """The receipt of one action, or None when PSRM does not know it."""
    row = service.action(conn, tenant, aktion_id)
    if row is None:
        return None
    return Kvittering(
        row.aktion_id, row.status, service.receipt(row), row.fordring_id, row.hovedfordring_id, row.errors
    )


@dataclass(frozen=True, slots=True)
class Haendelse:
    """One event of PSRM's ledger on a claim (dækning, afskrivning, returnering, …)."""

    id: int
    kind: str
    amount_oere: int
    virkningsdato: str
    fordring_id: int
    claimant_ref: str
    """The claimant's reference of the claim."""
    main_id: int | None
    """For a related claim (a fee or interest handed over with its main claim): the main claim's id."""
    main_ref: str | None
    """… and the main claim's reference."""


_own, _main, _events = tables.claims.alias("own"), tables.claims.alias("main"), tables.events
_EVENTS = (
    sa.select(
        _events, _own.c.claimant_ref, _main.c.claimant_ref.label("main_ref"), _main.c.id.label("main_id")
    )
    .join(_own, _own.c.id == _events.c.fordring_id)
    .outerjoin(_main, _main.c.id == _own.c.hovedfordring_id)
    .where(_events.c.tenant == sa.bindparam("k_tenant"), _events.c.id > sa.bindparam("k_after"))
    .order_by(_events.c.id)
)


def events_since(conn: Connection, tenant: Tenant, after: int) -> list[Haendelse]:
    """The tenant's ledger events after event `after`, oldest first."""
    rows = conn.execute(_EVENTS, {"k_tenant": tenant.key, "k_after": after}).all()
    return [
        Haendelse(
            r.id, r.kind, r.amount_oere, r.virkningsdato, r.fordring_id, r.claimant_ref, r.main_id, r.main_ref
        )
        for r in rows
    ]
