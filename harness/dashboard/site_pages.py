"""The dashboard's front: the tenants, signing in and out, the language, reports and load runs, docs pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from testkommune.contracts.clock import real_now
from testkommune.harness.dashboard import docpages
from testkommune.harness.dashboard.viewer import COOKIE, viewer_for
from testkommune.harness.dashboard.web import (
    LANGUAGE_COOKIE,
    SECURITY_HEADERS,
    form,
    local,
    redirect,
    render,
    same_origin,
    viewer,
)
from testkommune.simulators import store
from testkommune.simulators.tenancy import clock_of, clock_view

MAX_TENANTS = 500
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


async def index(request: Request) -> Response:
    """The tenants the viewer may see, each with its simulated date (read from the store: no batch work)."""
    who = viewer(request)
    if not who.signed_in:
        return redirect("/login")
    tenants, clocks = store.tenants, store.clocks
    with request.app.state.sim.store.transaction() as conn:
        rows = conn.execute(
            sa.select(tenants.c.kommune, tenants.c.system, clocks.c.anchor, clocks.c.real_anchor)
            .select_from(tenants.outerjoin(clocks, clocks.c.tenant == tenants.c.tenant))
            .order_by(tenants.c.kommune, tenants.c.system)
        ).all()
    real = real_now()
    shown = [
        {
            "kommune": row.kommune,
            "system": row.system,
            "today": clock_view(clock_of(row), real)["today"] if row.anchor else None,
        }
        for row in rows
        if who.may_see(row.kommune, row.system)
    ]
    return render(request, "index.html.j2", tenants=shown[:MAX_TENANTS], more=len(shown) - MAX_TENANTS,
                  pages=docpages.listing())  # fmt: skip


async def login(request: Request) -> Response:
    target = local(request.query_params.get("next", "/"))
    if request.method == "GET":
        return render(request, "login.html.j2", target=target, failed=False)
    if not same_origin(request):
        return render(request, "error.html.j2", status=403, message_key="error")
    fields = await form(request)
    token = fields.get("token", "").strip()
    if not token or not viewer_for(token, request.app.state.sim.access).signed_in:
        return render(request, "login.html.j2", status=401, target=target, failed=True)
    response = redirect(local(fields.get("next", "/")))
    secure = request.url.scheme == "https"
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/")
    return response


async def logout(request: Request) -> Response:
    response = redirect("/login")
    response.delete_cookie(COOKIE, path="/")
    return response


async def choose_language(request: Request) -> Response:
    chosen = request.path_params["lang"]
    response = redirect(local(request.query_params.get("next", "/")))
    if chosen in ("da", "en"):
        response.set_cookie(LANGUAGE_COOKIE, chosen, samesite="strict", path="/", max_age=31536000)
    return response


def _reports_dir(request: Request) -> Path:
    return Path(request.app.state.dashboard_reports)


def _read(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}


def _evidence(bundle: Path) -> dict[str, Any]:
    """The bundle's integrity and recomputed verdict (`harness.evidence.verify`), or why not checked."""
    if not bundle.is_dir():
        return {"present": False}
    try:
        from testkommune.harness.evidence.verify import verify_bundle

        checked = verify_bundle(bundle)
    except Exception as exc:  # a bundle the verifier cannot read is shown as such, never a 500
        return {"present": True, "valid": False, "problems": [f"{type(exc).__name__}: {exc}"]}
    return {
        "present": True,
        "valid": checked.valid,
        "recomputed": checked.verdict_recomputed,
        "problems": checked.problems[:5],
    }


async def reports(request: Request) -> Response:
    if not viewer(request).admin:
        return redirect("/login") if not viewer(request).signed_in else _forbidden(request)
    folder = _reports_dir(request)
    runs, loads = [], []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        document = _read(path)
        html = path.with_suffix(".html").name if path.with_suffix(".html").is_file() else None
        if "decision" in document:
            loads.append(
                {
                    "name": path.stem,
                    "html": html,
                    "decision": document.get("decision"),
                    "run_status": document.get("run_status"),
                    "breached": document.get("breached"),
                }
            )
        elif "verdict" in document:
            runs.append(
                {
                    "name": path.stem,
                    "html": html,
                    "suite": document.get("suite_id"),
                    "fagsystem": document.get("fagsystem"),
                    "version": document.get("fagsystem_version"),
                    "verdict": document.get("verdict"),
                    "counts": document.get("counts"),
                    "evidence": _evidence(path.with_suffix(".bevis")),
                }
            )
    return render(request, "reports.html.j2", runs=runs, loads=loads, folder=str(folder))


def _forbidden(request: Request) -> Response:
    return render(request, "error.html.j2", status=403, message_key="not_yours")


async def report_file(request: Request) -> Response:
    """One HTML report, as written: self-contained, under its own CSP (sandboxed)."""
    if not viewer(request).admin:
        return _forbidden(request)
    name = request.path_params["name"]
    folder = _reports_dir(request).resolve()
    path = (folder / name).resolve()
    if path.parent != folder or path.suffix != ".html" or not path.is_file():
        return render(request, "error.html.j2", status=404, message_key="error")
    headers = SECURITY_HEADERS | {"Content-Security-Policy": REPORT_CSP}
    return FileResponse(path, media_type="text/html; charset=utf-8", headers=headers)


async def doc_page(request: Request) -> Response:
    name = request.path_params.get("name")
    if name is None:
        return render(request, "pages.html.j2", pages=docpages.listing())
    page = docpages.render_page(name)
    if page is None:
        return render(request, "error.html.j2", status=404, message_key="error")
    return render(request, "page.html.j2", page=page, pages=docpages.listing())
