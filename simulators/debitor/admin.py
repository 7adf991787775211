"""Admin routes of the debitor system under /admin/tenants/{kommune}/{system}/debitor: the tenant's accounts
with claims and delfordringer, the letters sent, the fagsystem's mailbox, payments and set-offs; and a
set-off against a coming payout (POST …/debitor/modregning)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from testkommune.contracts.money import to_oere, wire
from testkommune.simulators.admin.routes import checked_body, tenant_endpoint
from testkommune.simulators.batch import settled
from testkommune.simulators.context import OpContext, Simulator
from testkommune.simulators.debitor import mailbox, tables, views
from testkommune.simulators.debitor.afstemning import afstemning
from testkommune.simulators.debitor.modregning import modregn
from testkommune.simulators.debitor.profiles import all_profiles, profile_for
from testkommune.simulators.debitor.service import claim_view
from testkommune.simulators.http import ok
from testkommune.simulators.store import plain
from testkommune.simulators.tenancy import Tenant

_T = "/admin/tenants/{kommune}/{system}/debitor"


def state(conn: Connection, tenant: Tenant) -> dict[str, Any]:
    """The debitor system's part of the tenant's state (GET …/state): its debitorkonti and fordringer."""
    accounts, claims = tables.accounts, tables.claims
    return {
        "accounts": [
            plain(r, exclude=("tenant",))
            for r in conn.execute(
                sa.select(accounts).where(accounts.c.tenant == tenant.key).order_by(accounts.c.id)
            )
        ],
        "claims": [
            claim_view(r)
            | {
                "DebitorkontoID": str(r.account_id),
                "Data": r.data,
                "LeveranceID": r.delivery_id,
                "Oprettet": r.created_at,
            }
            for r in conn.execute(
                sa.select(claims).where(claims.c.tenant == tenant.key).order_by(claims.c.id)
            )
        ],
    }


def overview(ctx: OpContext) -> dict[str, Any]:
    conn, key = ctx.conn, ctx.tenant.key
    accounts = []
    for account in conn.execute(
        sa.select(tables.accounts).where(tables.accounts.c.tenant == key).order_by(tables.accounts.c.id)
    ):
        accounts.append(
            {
                "DebitorkontoID": str(account.id),
                "DebitorkontoReference": account.reference,
                "DebitorkontoType": account.kind,
                "Rolle": views.roles(conn, account.id),
                "Fordring": [
                    views.claim_full(conn, c, claim_view(c))
                    for c in views.claims_of_account(conn, account.id)
                ],
            }
        )
    letters = [
        {
            "id": r.id,
            "Type": r.kind,
            "Modtager": r.recipient,
            "Dato": r.dato,
            "FordringID": str(r.claim_id) if r.claim_id else None,
            "Indhold": r.data,
        }
        for r in conn.execute(
            sa.select(tables.letters).where(tables.letters.c.tenant == key).order_by(tables.letters.c.id)
        )
    ]
    payments = [
        {
            "Type": r.kind,
            "Reference": r.reference,
            "Beløb": wire(r.amount_oere),
            "Dato": r.dato,
            "Resultat": r.result,
        }
        for r in conn.execute(
            sa.select(tables.payments).where(tables.payments.c.tenant == key).order_by(tables.payments.c.id)
        )
    ]
    return {
        "tenant": key,
        "profil": profile_for(ctx.settings).raw,
        "accounts": accounts,
        "letters": letters,
        "mailbox": mailbox.everything(conn, key),
        "payments": payments,
    }


@tenant_endpoint
async def debitor_state(request: Request, sim: Simulator, tenant: Tenant) -> Response:
    async with settled(sim, tenant) as ctx:
        return ok(overview(ctx))


@tenant_endpoint
async def modregning(request: Request, sim: Simulator, tenant: Tenant) -> Response:
    body = await checked_body(request, sim, "admin/DebitorModregning_I")
    async with settled(sim, tenant) as ctx:
        result = modregn(
            ctx.conn,
            tenant,
            skyldner=body["SkyldnerID"],
            beloeb_oere=to_oere(body["Beløb"]) or 0,
            now=ctx.now,
            reference=body["Reference"],
        )
    return ok({"tenant": tenant.key} | result)


@tenant_endpoint
async def reconciliation(request: Request, sim: Simulator, tenant: Tenant) -> Response:
    async with settled(sim, tenant) as ctx:
        return ok({"tenant": tenant.key} | afstemning(ctx.conn, tenant.key))


async def profiles(request: Request) -> Response:
    return ok({"profiler": all_profiles()})


def admin_routes() -> list[Route]:
    return [
        Route(_T, debitor_state, methods=["GET"]),
        Route(f"{_T}/modregning", modregning, methods=["POST"]),
        Route(f"{_T}/afstemning", reconciliation, methods=["GET"]),
        Route("/admin/debitorprofiler", profiles, methods=["GET"]),
    ]
