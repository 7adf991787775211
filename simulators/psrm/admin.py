"""PSRM's admin routes (collection: payments, set-off, returns, write-offs, reconciliation, history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from testkommune.contracts.findings import Finding
from testkommune.contracts.money import to_oere, wire
from testkommune.simulators.admin.routes import checked_body, tenant_endpoint
from testkommune.simulators.batch import settle, settled
from testkommune.simulators.context import OpContext, Simulator
from testkommune.simulators.http import ok, problem, whole_number
from testkommune.simulators.psrm import inddrivelse, underretninger
from testkommune.simulators.psrm import tables as psrm_tables
from testkommune.simulators.psrm.service import receipt
from testkommune.simulators.psrm.state import TILBAGEKALDT, UNDER_INDDRIVELSE, PsrmView
from testkommune.simulators.store import plain
from testkommune.simulators.tenancy import Tenant

Body = dict[str, Any]


def _with_body(
    contract: str, handle: Callable[[OpContext, Body], tuple[int, Any]]
) -> Callable[[Request], Any]:
    @tenant_endpoint
    async def endpoint(request: Request, sim: Simulator, tenant: Tenant) -> Response:
        body = await checked_body(request, sim, contract)
        async with settled(sim, tenant) as ctx:
            status, answer = handle(ctx, body)
        if isinstance(answer, Finding):
            return problem(status, "Refused", [answer])
        if status == 201:  # applied at once when its date has come: run the batch before answering
            await settle(sim, tenant)
        return ok(answer, status)

    return endpoint


def _pay(ctx: OpContext, body: Body) -> tuple[int, Any]:
    day = date.fromisoformat(body["BetalingDato"])
    amount = to_oere(body["Beløb"]) or 0
    earmarked = body.get("FordringID")
    if earmarked is not None and PsrmView(ctx.conn, ctx.tenant).claim(earmarked) is None:
        return 404, Finding("PSRM-509", "$.FordringID", {"value": earmarked})
    payment = inddrivelse.register_payment(
        ctx.conn,
        ctx.tenant,
        body["SkyldnerID"],
        amount,
        day,
        body.get("Kilde", "INDBETALING"),
        ctx.now,
        earmarked=int(earmarked) if earmarked is not None else None,
    )
    return 201, {"IndbetalingID": str(payment), "Status": "VENTER" if day > ctx.today else "DAEKKES"}


def _end(kind: str) -> Callable[[OpContext, Body], tuple[int, Any]]:
    def handle(ctx: OpContext, body: Body) -> tuple[int, Any]:
        claim = PsrmView(ctx.conn, ctx.tenant).claim(body["DMIFordringEFIFordringID"])
        if claim is None:
            return 404, Finding(
                "PSRM-509", "$.DMIFordringEFIFordringID", {"value": body["DMIFordringEFIFordringID"]}
            )
        if claim.status != UNDER_INDDRIVELSE:
            return 409, Finding(
                "PSRM-FORDRING-IKKE-UNDER-INDDRIVELSE",
                "$.DMIFordringEFIFordringID",
                {"value": claim.id, "status": claim.status},
            )
        result = inddrivelse.end_collection(
            ctx.conn, ctx.tenant, claim, kind, body["ÅrsagKode"], body.get("Tekst"), ctx.today, ctx.now
        )
        return 200, result

    return handle


@tenant_endpoint
async def payments(request: Request, sim: Simulator, tenant: Tenant) -> Response:
    """GET: every payment registered for the tenant, with what it covered."""
    async with settled(sim, tenant) as ctx:
        rows = ctx.conn.execute(
            sa.select(psrm_tables.payments)
            .where(psrm_tables.payments.c.tenant == tenant.key)
            .order_by(psrm_tables.payments.c.id)
        ).all()
    return ok(
        {
            "indbetalinger": [
                {
                    "IndbetalingID": str(r.id),
                    "SkyldnerID": r.skyldner,
                    "Beløb": wire(r.amount_oere),
                    "BetalingDato": r.dato,
                    "Kilde": r.kilde,
                    "Status": r.status,
                    "Resultat": r.result,
                }
                for r in rows
            ]
        }
    )


@tenant_endpoint
async def reconciliation(request: Request, sim: Simulator, tenant: Tenant) -> Response:
    async with settled(sim, tenant) as ctx:
        return ok(
            {"tenant": tenant.key, "dato": ctx.today.isoformat()}
            | underretninger.afstemning(ctx.conn, tenant)
        )


@tenant_endpoint
async def claim_history(request: Request, sim: Simulator, tenant: Tenant) -> Response:
    """One claim's whole story: stamdata, balance and interest today, events, actions, notifications."""
    claim_id = str(whole_number(request.path_params["fordring_id"], "fordring_id"))
    async with settled(sim, tenant) as ctx:
        claim = PsrmView(ctx.conn, tenant).claim(claim_id)
        if claim is None:
            return problem(404, "Unknown claim", [Finding("PSRM-509", "$", {"value": claim_id})])
        book = inddrivelse.ledger(ctx.conn, tenant, claim)
        events = ctx.conn.execute(
            sa.select(psrm_tables.events)
            .where(psrm_tables.events.c.tenant == tenant.key, psrm_tables.events.c.fordring_id == claim.id)
            .order_by(psrm_tables.events.c.id)
        ).all()
        table = psrm_tables.actions
        actions = ctx.conn.execute(
            sa.select(table)
            .where(
                table.c.tenant == tenant.key,
                sa.or_(table.c.target_id == claim.id, table.c.fordring_id == str(claim.id)),
            )
            .order_by(table.c.received_at)
        ).all()
        notes = [
            n
            for n in underretninger.build(ctx.conn, tenant, ctx.settings, ctx.today)
            if n.get("DMIFordringEFIFordringID") == str(claim.id)
        ]
        return ok(
            {
                "DMIFordringEFIFordringID": str(claim.id),
                "DMIFordringEFIHovedFordringID": str(claim.hovedfordring_id or claim.kompleks_id or claim.id),
                "Art": claim.kind,
                "Fordringstype": claim.fordringstype,
                "Status": claim.status,
                "TilbagekaldÅrsag": claim.recall_reason,
                "Modtaget": claim.received_at.isoformat(),
                "HovedstolBeløb": wire(claim.hovedstol),
                "SaldoBeløb": wire(book.principal(ctx.today)),
                "RenteBeløb": wire(book.interest_due(ctx.today)),
                "Rentestart": inddrivelse.renter.interest_start(claim.received_on).isoformat()
                if book.bears_interest
                else None,
                "Stamdata": claim.snapshot,
                "Forældelse": _row_data(ctx, claim.id).get("foraeldelse"),
                "Hændelser": [
                    {
                        "Type": e.kind,
                        "Beløb": wire(e.amount_oere),
                        "Virkningsdato": e.virkningsdato,
                        "Bogført": e.booked_at,
                        "MFAktionID": e.aktion_id,
                        "Data": e.data,
                    }
                    for e in events
                ],
                "Aktioner": [receipt(a) for a in actions],
                "Underretninger": notes,
            }
        )


def _row_data(ctx: OpContext, claim_id: int) -> dict[str, Any]:
    row = ctx.conn.execute(
        sa.select(psrm_tables.claims.c.data).where(psrm_tables.claims.c.id == claim_id)
    ).one()
    return dict(row.data)


def state(conn: Connection, tenant: Tenant) -> dict[str, Any]:
    """PSRM's part of the tenant's state (GET …/state): the actions received and the claims booked."""
    actions, claims = psrm_tables.actions, psrm_tables.claims
    return {
        "actions": [
            receipt(r) | {"MFLeveranceID": r.leverance_id, "Anmodning": r.request}
            for r in conn.execute(
                sa.select(actions)
                .where(actions.c.tenant == tenant.key)
                .order_by(actions.c.received_at, actions.c.aktion_id)
            )
        ],
        "claims": [
            plain(r, exclude=("tenant", "data")) | _returned_interest(conn, tenant, r)
            for r in conn.execute(
                sa.select(claims).where(claims.c.tenant == tenant.key).order_by(claims.c.id)
            )
        ],
    }


def _returned_interest(conn: Connection, tenant: Tenant, row: Any) -> dict[str, Any]:
    """A recalled claim's inddrivelsesrente, accrued up to the recall and not paid: it went back to the
    claimant with the claim (psrm.md §6.3: KLAG, HENS, HAFT), to be re-submitted as REINDGI (§6.4)."""
    if row.status != TILBAGEKALDT or row.recall_reason == "FEJL":  # FEJL resets all interest
        return {}
    claim = PsrmView(conn, tenant).claim(row.id)
    book = inddrivelse.ledger(conn, tenant, claim) if claim is not None else None
    if book is None or book.stop is None:
        return {}
    return {"rente_returneret_oere": book.interest_due(book.stop)}


_T = "/admin/tenants/{kommune}/{system}/psrm"


def admin_routes() -> list[Route]:
    return [
        Route(f"{_T}/indbetalinger", _with_body("admin/Indbetaling_I", _pay), methods=["POST"]),
        Route(f"{_T}/indbetalinger", payments, methods=["GET"]),
        Route(
            f"{_T}/returneringer", _with_body("admin/Returnering_I", _end("RETURNERING")), methods=["POST"]
        ),
        Route(
            f"{_T}/afskrivninger", _with_body("admin/Afskrivning_I", _end("AFSKRIVNING")), methods=["POST"]
        ),
        Route(f"{_T}/afstemning", reconciliation, methods=["GET"]),
        Route(f"{_T}/fordringer/{{fordring_id}}", claim_history, methods=["GET"]),
    ]
