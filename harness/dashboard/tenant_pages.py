"""A tenant's pages: its clock (and the form to move it), its claims' roads, faults, invariants, settings
and debitor profile, one claim's road in full, and the journal of exchanges."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from testkommune.contracts.privacy import mask_cpr
from testkommune.harness.dashboard.reader import AdminReader, Answer
from testkommune.harness.dashboard.refusals import refused
from testkommune.harness.dashboard.road import roads
from testkommune.harness.dashboard.web import form, reader, redirect, render, same_origin, viewer
from testkommune.simulators.tenancy import Tenant

FAULT_KINDS = ("error", "lose_answer", "latency", "duplicate_answer", "reorder")
STEPS = (1, 7, 14, 30)


def _refused(request: Request, status: int, key: str) -> Response:
    return render(request, "error.html.j2", status=status, message_key=key)


def _tenant(request: Request) -> tuple[Tenant, AdminReader] | Response:
    """The tenant of the path and a reader for it, or the page that says why not."""
    who = viewer(request)
    if not who.signed_in:
        return redirect(f"/login?next={request.url.path}")
    tenant = Tenant.parse(request.path_params["kommune"], request.path_params["system"])
    if tenant is None or not who.may_see(tenant.kommune, tenant.system):
        return _refused(request, 404, "not_yours")
    return tenant, reader(request, who)


def _problem_texts(answer: Answer) -> list[str]:
    errors = answer.body.get("errors", []) if isinstance(answer.body, dict) else []
    return [f"{e.get('code')}: {e.get('text_da')} / {e.get('text_en')}" for e in errors] or [
        f"HTTP {answer.status}"
    ]


async def tenant_page(request: Request, errors: list[str] | None = None) -> Response:
    found = _tenant(request)
    if isinstance(found, Response):
        return found
    tenant, admin = found
    get = admin.tenant
    k, s = tenant.kommune, tenant.system
    state, debitor = await get(k, s, "state"), await get(k, s, "debitor")
    journal = await get(k, s, "journal", query={"limit": 500})
    invariants, settings, faults = (
        await get(k, s, "invarianter"),
        await get(k, s, "settings"),
        await get(k, s, "faults"),
    )
    if not state.ok:
        return render(
            request, "error.html.j2", status=state.status, message_key="error", errors=_problem_texts(state)
        )
    return render(
        request,
        "tenant.html.j2",
        status=400 if errors else 200,
        tenant=tenant,
        clock=state.body["clock"],
        roads=roads(debitor.body, state.body) if debitor.ok else [],
        refused=refused(journal.body.get("entries", [])) if journal.ok else [],
        invariants=invariants.body if invariants.ok else None,
        settings=settings.body.get("settings") if settings.ok else None,
        profile=debitor.body.get("profil") if debitor.ok else None,
        faults=faults.body.get("faults", []) if faults.ok else [],
        fault_kinds=FAULT_KINDS,
        steps=STEPS,
        errors=errors or [],
    )


async def _posted(request: Request) -> tuple[Any, Any, dict[str, str]] | Response:
    """The tenant, its admin client and the form of a POST from the dashboard's own pages (else a refusal)."""
    found = _tenant(request)
    if isinstance(found, Response):
        return found
    if not same_origin(request):
        return _refused(request, 403, "error")
    return (*found, await form(request))


async def clock_post(request: Request) -> Response:
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    tenant, admin, fields = posted
    if fields.get("advance_to"):
        body: dict[str, Any] = {"advance_to": fields["advance_to"]}
    elif fields.get("set"):
        body = {"set": fields["set"]}
    else:
        body = {"advance": f"{fields.get('days', '1')}d"}
    answer = await admin.tenant(tenant.kommune, tenant.system, "clock", method="POST", body=body)
    if not answer.ok:
        return await tenant_page(request, _problem_texts(answer))
    return redirect(f"/tenants/{tenant.kommune}/{tenant.system}")


async def faults_post(request: Request) -> Response:
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    tenant, admin, fields = posted
    if fields.get("off"):
        answer = await admin.tenant(tenant.kommune, tenant.system, "faults", method="DELETE")
    else:
        body: dict[str, Any] = {"kind": fields.get("kind", ""), "operation": fields.get("operation") or "*"}
        if fields.get("count", "").isdigit():
            body["count"] = int(fields["count"])
        if body["kind"] == "latency":
            body["delay_ms"] = 500
        answer = await admin.tenant(tenant.kommune, tenant.system, "faults", method="POST", body=body)
    if not answer.ok:
        return await tenant_page(request, _problem_texts(answer))
    return redirect(f"/tenants/{tenant.kommune}/{tenant.system}#faults")


async def claim_page(request: Request) -> Response:
    found = _tenant(request)
    if isinstance(found, Response):
        return found
    tenant, admin = found
    state = await admin.tenant(tenant.kommune, tenant.system, "state")
    debitor = await admin.tenant(tenant.kommune, tenant.system, "debitor")
    wanted = request.path_params["reference"]
    road = (
        next((r for r in roads(debitor.body, state.body) if r.reference == wanted), None)
        if debitor.ok
        else None
    )
    if road is None:
        return _refused(request, 404, "no_claims")
    return render(request, "claim.html.j2", tenant=tenant, road=road, clock=state.body["clock"])


def _pretty(text: str | None) -> str:
    if not text:
        return ""
    try:
        shown = json.dumps(json.loads(text), ensure_ascii=False, indent=2)
    except ValueError:
        shown = text
    return mask_cpr(shown)


async def journal_page(request: Request) -> Response:
    found = _tenant(request)
    if isinstance(found, Response):
        return found
    tenant, admin = found
    answer = await admin.tenant(tenant.kommune, tenant.system, "journal", query={"limit": 200})
    entries = [
        entry | {"request": _pretty(entry.get("request")), "response": _pretty(entry.get("response"))}
        for entry in reversed(answer.body.get("entries", []) if answer.ok else [])
    ]
    return render(request, "journal.html.j2", tenant=tenant, entries=entries)
