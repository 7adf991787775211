"""B_02 DebitorForespørgsel: own accounts in full, other systems' registreringer in a minimal view.

oeir.md §4.2 [C]: B_02 fetches a list of debitorkonti or one account, incl. indbetalinger, afskrivninger,
renter and rykkergebyrer, "own and others' registreringer". The public sources do not say what a system may
see of another's; testkommune's documented decision [I]: another system's account shows only what a caller
needs to see the debtor's total position and to pay (views.claim_minimal) — never the owner's references,
descriptions, periods, roles, addresses or PSRM receipts — and only within the caller's own kommune.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row
from testkommune.simulators import store
from testkommune.simulators.context import OpContext
from testkommune.simulators.debitor import tables, views
from testkommune.simulators.debitor.service import claim_view


def kommune_tenants(conn: Connection, kommune: str) -> list[str]:
    """Every tenant (anvendersystem) of this kommune: they share the kommune's one debitor system."""
    return [
        r.tenant
        for r in conn.execute(sa.select(store.tenants.c.tenant).where(store.tenants.c.kommune == kommune))
    ]


def own_account(conn: Connection, account: Any) -> dict[str, Any]:
    return {
        "DebitorkontoID": str(account.id),
        "DebitorkontoReference": account.reference,
        "DebitorkontoType": account.kind,
        "Egen": True,
        "Rolle": views.roles(conn, account.id),
        "Fordring": [
            views.claim_full(conn, c, claim_view(c)) for c in views.claims_of_account(conn, account.id)
        ],
    }


def other_account(conn: Connection, account: Any) -> dict[str, Any]:
    return {
        "DebitorkontoID": str(account.id),
        "DebitorkontoType": account.kind,
        "Egen": False,
        "Fordring": [views.claim_minimal(conn, c) for c in views.claims_of_account(conn, account.id)],
    }


def accounts_of_debtor(conn: Connection, tenants: list[str], skyldner: str) -> Sequence[Row[Any]]:
    """Accounts where `skyldner` is juridisk ansvarlig or an active medhæfter."""
    co = sa.select(tables.relations.c.account_id).where(
        tables.relations.c.tenant.in_(tenants),
        tables.relations.c.party_id == skyldner,
        tables.relations.c.kind == "JURIDISK_MEDHAEFTER",
        tables.relations.c.valid_to.is_(None),
    )
    return conn.execute(
        sa.select(tables.accounts)
        .where(
            tables.accounts.c.tenant.in_(tenants),
            sa.or_(tables.accounts.c.debtor_id == skyldner, tables.accounts.c.id.in_(co)),
        )
        .order_by(tables.accounts.c.id)
    ).all()


def soeg_debitorkonto(ctx: OpContext, message: dict[str, Any]) -> dict[str, Any]:
    tenants = kommune_tenants(ctx.conn, ctx.tenant.kommune)
    rows = accounts_of_debtor(ctx.conn, tenants, message["SkyldnerID"])
    return {
        "Debitorkonto": [
            own_account(ctx.conn, a) if a.tenant == ctx.tenant.key else other_account(ctx.conn, a)
            for a in rows
        ]
    }
