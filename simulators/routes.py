"""The counterparts' operations as HTTP routes: each reads JSON, checks its contract, calls a service."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from testkommune.contracts.findings import Finding
from testkommune.simulators.access import Refusal, fault_body
from testkommune.simulators.context import OpContext
from testkommune.simulators.debitor import forespoergsel, indbetaling, registrering
from testkommune.simulators.debitor import mailbox as debitor_mailbox
from testkommune.simulators.debitor import service as debitor
from testkommune.simulators.debitor import tables as debitor_tables
from testkommune.simulators.faults import AFTER, BEFORE, LIST, LISTS, Fault, shape
from testkommune.simulators.http import BadRequestError, ok, ok_rendered, problem, read_json_text, render_json
from testkommune.simulators.oir import hub
from testkommune.simulators.operations import Handler, Operation
from testkommune.simulators.psrm import service as psrm
from testkommune.simulators.psrm.service import underretninger_hent
from testkommune.simulators.simulation import Simulation, journal
from testkommune.simulators.tenancy import Tenant


@dataclass(frozen=True, slots=True)
class Rendered:
    """An answer body already rendered as JSON text."""

    text: str


def tenant_of(request: Request, operation: str) -> Tenant:
    """The tenant a service call acts for: from its headers, checked against its serviceaftale when closed."""
    sim: Simulation = request.app.state.sim
    kommune = request.headers.get("x-tk-kommune", "")
    system = request.headers.get("x-tk-anvendersystem", "")
    if not sim.access.open:
        number = kommune[1:] if len(kommune) == 4 and kommune.startswith("0") else kommune
        allowed = sim.access.service(request.headers.get("authorization"), number, system or None, operation)
        if isinstance(allowed, Refusal):
            raise BadRequestError(
                problem(
                    allowed.status, "Refused by Serviceplatformen", [allowed.finding], **fault_body(allowed)
                )
            )
        system = allowed
    tenant = Tenant.parse(kommune, system)
    if tenant is None:
        header = "X-TK-Kommune" if Tenant.parse(kommune, "x") is None else "X-TK-Anvendersystem"
        raise BadRequestError(
            problem(400, "Caller not identified", [Finding("TENANT-MANGLER", "$", {"field": header})])
        )
    return tenant


def _endpoint(operation: Operation) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        response = await answer(request)
        response.headers["X-TK-Worker"] = str(os.getpid())  # which server process answered (serve --workers)
        return response

    async def answer(request: Request) -> Response:
        sim: Simulation = request.app.state.sim
        try:
            tenant = tenant_of(request, operation.name)
            message, text = await read_json_text(request)
        except BadRequestError as refused:
            return refused.response
        if sim.store.shared:  # PostgreSQL: the call waits on the network, so let other requests run meanwhile
            outcome = await run_in_threadpool(handle, sim, request, tenant, message, text)
        else:  # SQLite has one writer: threads would only queue for its lock
            outcome = handle(sim, request, tenant, message, text)
            commit = sim.store.pending_commit()
            if commit is not None:  # group commit: answer only once this call's writes are durable
                try:
                    await asyncio.shield(commit)
                except Exception as exc:
                    finding = Finding("HTTP-IKKE-GEMT", "$", {"value": type(exc).__name__})
                    return problem(503, "Not stored", [finding])
        if isinstance(outcome, Response):
            return outcome
        status, body, after = outcome
        if isinstance(body, Rendered):
            return ok_rendered(body.text, status)
        if status >= 400 and isinstance(body, Finding):
            return problem(status, operation.name, [body])
        if after is not None and after.kind == "lose_answer":
            return problem(
                504,
                "Gateway timeout: the answer was lost",
                [Finding("OIR-SVAR-TABT", "$", {"value": after.name})],
            )
        if after is not None and after.kind == "latency":
            await asyncio.sleep(after.delay_ms / 1000)
        return ok(body, status)

    def handle(
        sim: Simulation, request: Request, tenant: Tenant, message: Any, text: str
    ) -> Response | tuple[int, Any, Fault | None]:
        """The contract check and the call's transaction, committed before this returns (on SQLite, once
        `store.pending_commit()` is done). The journal keeps the body as received and the answer as sent."""
        problems = sim.contracts.get(operation.contract_in).check(message)
        if problems:
            response = problem(400, f"{operation.name}: the message breaks its contract", problems)
            with sim.operation(tenant, grouped=True) as ctx:
                _journal(ctx, operation, request, response.status_code, text, response.body.decode())
            return response
        with sim.operation(tenant, grouped=True) as ctx:
            before = sim.take_fault(tenant, BEFORE, operation.name, operation.counterpart, ctx.now)
            if before is not None:  # the counterpart is down or fails: nothing is processed
                code = "FAULT-TJENESTEVINDUE" if before.kind == "service_window" else "FAULT-FEJL"
                refused = problem(503, "Service unavailable", [Finding(code, "$", {"value": before.name})])
                _journal(ctx, operation, request, 503, message, {"fault": before.view()})
                return refused
            status, body = operation.handler(sim, ctx, message)
            after = sim.take_fault(tenant, AFTER, operation.name, operation.counterpart, ctx.now)
            shaped, body = _list_faults(sim, ctx, operation, message, status, body)
            if after is None and not shaped and not isinstance(body, Finding):  # rendered once: sent and kept
                rendered = Rendered(render_json(body))
                _journal(ctx, operation, request, status, text, rendered.text)
                return status, rendered, None
            _journal(ctx, operation, request, status, text, body, after, shaped)
        return status, body, after

    endpoint.__name__ = operation.name
    return endpoint


def _list_faults(
    sim: Simulation, ctx: OpContext, operation: Operation, message: Any, status: int, body: Any
) -> tuple[list[Fault], Any]:
    """Apply duplicate_answer, then reorder, to an answer that carries a message list (faults.LISTS); the
    stored state is not touched, only the answer sent."""
    key = LISTS.get(operation.name)
    if key is None or status != 200 or not isinstance(body, dict) or key not in body:
        return [], body
    fired = []
    for kind in LIST:
        fault = sim.take_fault(ctx.tenant, (kind,), operation.name, operation.counterpart, ctx.now)
        if fault is not None:
            earlier = _earlier_message(ctx, message) if kind == "duplicate_answer" else []
            body = shape(fault, body, key, earlier)
            fired.append(fault)
    return fired, body


def _earlier_message(ctx: OpContext, message: Any) -> list[dict[str, Any]]:
    """The last mailbox message the caller already read (at or before its cursor), if any."""
    cursor = message.get("Cursor", 0) if isinstance(message, dict) else 0
    mailbox = debitor_tables.mailbox
    row = ctx.conn.execute(
        sa.select(mailbox)
        .where(mailbox.c.tenant == ctx.tenant.key, mailbox.c.seq <= cursor)
        .order_by(mailbox.c.seq.desc())
        .limit(1)
    ).first()
    return [debitor_mailbox.view(row)] if row is not None else []


def _journal(
    ctx: OpContext,
    operation: Operation,
    request: Request,
    status: int,
    message: Any,
    body: Any,
    fault: Fault | None = None,
    shaped: list[Fault] | None = None,
) -> None:
    """Record the exchange; an injected fault is recorded beside the answer, as evidence of the rehearsal."""
    fault = fault or (shaped[0] if shaped else None)
    if fault is not None and isinstance(body, dict):
        body = body | {"_fault": fault.view()}
    if shaped and isinstance(body, dict):
        body = body | {"_faults": [f.view() for f in shaped]}
    journal(
        ctx.conn,
        ctx.tenant,
        now=ctx.now,
        counterpart=operation.counterpart,
        operation=operation.name,
        method=request.method,
        path=request.url.path,
        status=status,
        request=message,
        response=body if not isinstance(body, Finding) else {"code": body.code},
    )


def _oir_delivery(
    service: str, business: Callable[[OpContext, dict[str, Any], str], dict[str, Any]]
) -> Handler:
    def handle(sim: Simulation, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
        result = hub.deliver(ctx, service, message, lambda message_id: business(ctx, message, message_id))
        if isinstance(result, Finding):
            return 409, result
        return result.status, result.body

    return handle


def _hent_debitorkonto(sim: Simulation, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    found = debitor.hent_debitorkonto(ctx, message["DebitorkontoReference"])
    if found is None:
        return 404, Finding(
            "OIR-DEBITORKONTO-UKENDT", "$.DebitorkontoReference", {"value": message["DebitorkontoReference"]}
        )
    return 200, found


def _soeg_debitorkonto(sim: Simulation, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    return 200, forespoergsel.soeg_debitorkonto(ctx, message)


def _soeg_delfordring(sim: Simulation, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    return 200, indbetaling.soeg_delfordring(ctx, message)


def _hent_daekning_afskrivning(sim: Simulation, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    found = debitor_mailbox.fetch(
        ctx.conn, ctx.tenant.key, after=message["Cursor"], now=ctx.now, limit=message.get("Antal", 100)
    )
    return 200, found


def _afslut_operation(name: str) -> Operation:
    return Operation(
        "oir",
        name,
        f"{OIR_B01}/{name}",
        "oir/Afslut_I",
        "oir/Afslut_O",
        f"SF1590_B_01: {name} — end-date a registration on one of your own debitorkonti",
        _oir_delivery(
            f"DebitorRegistreringAfsend.{name}",
            lambda ctx, message, message_id: registrering.afslut(ctx, name, message),
        ),
    )


def _mf_fordring_indberet(sim: Simulation, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    return 200, psrm.indberet(ctx, message)


def _hoering_svar(sim: Simulation, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    answer = psrm.hoering_svar(ctx, message)
    return (409, answer) if isinstance(answer, Finding) else (200, answer)


def _mf_underret_samling_hent(sim: Simulation, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    answer = underretninger_hent(ctx, message)
    return (400, answer) if isinstance(answer, Finding) else (200, answer)


def _mf_kvittering_hent(sim: Simulation, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    found = psrm.kvittering_hent(ctx, message["MFLeveranceID"])
    if found is None:
        return 404, Finding("PSRM-LEVERANCE-UKENDT", "$.MFLeveranceID", {"value": message["MFLeveranceID"]})
    return 200, found


OIR_B01 = "/service/OIR/DebitorRegistreringAfsend/1"
OIR_B02 = "/service/OIR/DebitorForespoergsel/1"
OIR_B03 = "/service/OIR/DebitorIndbetalingAfsend/1"
OIR_DA = "/service/OIR/DaekningAfskrivningRegistreringAfsend/1"

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "oir",
        "OpretDebitorkonto",
        f"{OIR_B01}/OpretDebitorkonto",
        "oir/OpretDebitorkonto_I",
        "oir/OpretDebitorkonto_O",
        "SF1590_B_01: register a debitorkonto with fordringer in the kommune's debitor system",
        _oir_delivery(
            "DebitorRegistreringAfsend.OpretDebitorkonto",
            lambda ctx, message, message_id: debitor.opret_debitorkonto(ctx, message, message_id),
        ),
    ),
    Operation(
        "oir",
        "RetFordringTilstand",
        f"{OIR_B01}/RetFordringTilstand",
        "oir/RetFordringTilstand_I",
        "oir/RetFordringTilstand_O",
        "SF1590_B_01: change a fordring's state; OVERDRAG_TIL_INDDRIVELSE hands it to PSRM",
        _oir_delivery(
            "DebitorRegistreringAfsend.RetFordringTilstand",
            lambda ctx, message, message_id: debitor.ret_fordring_tilstand(ctx, message),
        ),
    ),
    Operation(
        "oir",
        "HentDebitorkonto",
        f"{OIR_B02}/HentDebitorkonto",
        "oir/HentDebitorkonto_I",
        "oir/HentDebitorkonto_O",
        "SF1590_B_02: read one of your own debitorkonti with its fordringer and PSRM's receipts",
        _hent_debitorkonto,
    ),
    Operation(
        "oir",
        "OpskrivFordring",
        f"{OIR_B01}/OpskrivFordring",
        "oir/OpskrivFordring_I",
        "oir/ReguleringFordring_O",
        "SF1590_B_01: write up (opskrivning) one of your own fordringer under opkrævning",
        _oir_delivery(
            "DebitorRegistreringAfsend.OpskrivFordring",
            lambda ctx, message, message_id: registrering.reguler(ctx, message, registrering.OPSKRIVNING),
        ),
    ),
    Operation(
        "oir",
        "NedskrivFordring",
        f"{OIR_B01}/NedskrivFordring",
        "oir/NedskrivFordring_I",
        "oir/ReguleringFordring_O",
        "SF1590_B_01: write down (nedskrivning) one of your own fordringer under opkrævning",
        _oir_delivery(
            "DebitorRegistreringAfsend.NedskrivFordring",
            lambda ctx, message, message_id: registrering.reguler(ctx, message, registrering.NEDSKRIVNING),
        ),
    ),
    *(_afslut_operation(name) for name in registrering.AFSLUT),
    Operation(
        "oir",
        "SoegDebitorkonto",
        f"{OIR_B02}/SoegDebitorkonto",
        "oir/SoegDebitorkonto_I",
        "oir/SoegDebitorkonto_O",
        "SF1590_B_02: a debtor's debitorkonti in the kommune — your own in full, other systems' minimally",
        _soeg_debitorkonto,
    ),
    Operation(
        "oir",
        "SoegDelfordringTilIndbetaling",
        f"{OIR_B03}/SoegDelfordringTilIndbetaling",
        "oir/SoegDelfordringTilIndbetaling_I",
        "oir/SoegDelfordringTilIndbetaling_O",
        "SF1590_B_03: a debtor's payable delfordringer in the kommune, in the order a payment covers them",
        _soeg_delfordring,
    ),
    Operation(
        "oir",
        "ForetagIndbetaling",
        f"{OIR_B03}/ForetagIndbetaling",
        "oir/ForetagIndbetaling_I",
        "oir/ForetagIndbetaling_O",
        "SF1590_B_03: register a payment on own or others' fordringer; the same IndbetalingID is booked once",
        _oir_delivery(
            "DebitorIndbetalingAfsend.ForetagIndbetaling",
            lambda ctx, message, message_id: indbetaling.foretag_indbetaling(ctx, message),
        ),
    ),
    Operation(
        "oir",
        "HentDaekningAfskrivning",
        f"{OIR_DA}/HentDaekningAfskrivning",
        "oir/HentDaekningAfskrivning_I",
        "oir/HentDaekningAfskrivning_O",
        "DaekningAfskrivningRegistreringAfsend (debitor → fagsystem): poll dækning/afskrivning updates",
        _hent_daekning_afskrivning,
    ),
    Operation(
        "psrm",
        "MFFordringIndberet",
        "/psrm/MFFordringIndberet",
        "psrm/MFFordringIndberet_I",
        "psrm/MFFordringIndberet_O",
        "PSRM: submit a leverance of actions; answered MODTAGET or AFVIST per action",
        _mf_fordring_indberet,
    ),
    Operation(
        "psrm",
        "MFKvitteringHent",
        "/psrm/MFKvitteringHent",
        "psrm/MFKvitteringHent_I",
        "psrm/MFKvitteringHent_O",
        "PSRM: fetch the receipts of a leverance (UDFOERT, AFVIST, HOERING)",
        _mf_kvittering_hent,
    ),
    Operation(
        "psrm",
        "HoeringSvar",
        "/psrm/HoeringSvar",
        "psrm/HoeringSvar_I",
        "psrm/HoeringSvar_O",
        "PSRM: approve (with a justification) or withdraw a claim in hearing (HØRING)",
        _hoering_svar,
    ),
    Operation(
        "psrm",
        "MFUnderretSamlingHent",
        "/psrm/MFUnderretSamlingHent",
        "psrm/MFUnderretSamlingHent_I",
        "psrm/MFUnderretSamlingHent_O",
        "PSRM: fetch notifications (udligning/allokering, afregning, renter, returnering, afskrivning)",
        _mf_underret_samling_hent,
    ),
)


def all_operations() -> tuple[Operation, ...]:
    """Every counterpart's operations: ØiR/debitor and PSRM here, the others from their own packages."""
    from testkommune.simulators.erp.routes import OPERATIONS as ERP
    from testkommune.simulators.klassifikation.routes import OPERATIONS as KLASSIFIKATION
    from testkommune.simulators.nemkonto.routes import OPERATIONS as NEMKONTO

    return (*OPERATIONS, *ERP, *NEMKONTO, *KLASSIFIKATION)


def service_routes() -> list[Route]:
    return [Route(op.path, _endpoint(op), methods=["POST"], name=op.name) for op in all_operations()]
