"""The web dashboard `testkommune serve` shows at `/`, and the interactive API docs at `/docs`.

Server-rendered (Jinja2), in Danish and English, without JavaScript (the API docs excepted), no external
resources, a strict CSP. A shell on the top floor: it reads and steers tenants through the admin API in
process (`reader.py`) and decides who sees what itself (`viewer.py`).
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from testkommune.harness.dashboard import site_pages, tenant_pages
from testkommune.harness.dashboard.apidocs import docs_routes

DEFAULT_REPORTS = Path("testkommune-reports")
_T = "/tenants/{kommune}/{system}"


def dashboard_routes() -> list[BaseRoute]:
    """Every route of the dashboard (none of them part of the OpenAPI document: they are pages)."""
    static = StaticFiles(directory=Path(__file__).resolve().parent / "static")
    page = {"include_in_schema": False}
    return [
        Route("/", site_pages.index, methods=["GET"], **page),
        Route("/login", site_pages.login, methods=["GET", "POST"], **page),
        Route("/logout", site_pages.logout, methods=["POST"], **page),
        Route("/lang/{lang}", site_pages.choose_language, methods=["GET"], **page),
        Route("/reports", site_pages.reports, methods=["GET"], **page),
        Route("/reports/{name}", site_pages.report_file, methods=["GET"], **page),
        Route("/pages", site_pages.doc_page, methods=["GET"], **page),
        Route("/pages/{name:path}", site_pages.doc_page, methods=["GET"], **page),
        Route(_T, tenant_pages.tenant_page, methods=["GET"], **page),
        Route(f"{_T}/clock", tenant_pages.clock_post, methods=["POST"], **page),
        Route(f"{_T}/faults", tenant_pages.faults_post, methods=["POST"], **page),
        Route(f"{_T}/journal", tenant_pages.journal_page, methods=["GET"], **page),
        Route(f"{_T}/claims/{{reference:path}}", tenant_pages.claim_page, methods=["GET"], **page),
        *docs_routes(),
        Mount("/static", static, name="dashboard-static"),
    ]


def mount(app: Starlette, reports_dir: Path | None = None) -> Starlette:
    """Add the dashboard to a test kommune's app (`simulators.app.create_app`); reports are listed from
    `reports_dir` (default `testkommune-reports/`, where `certify` writes them)."""
    app.state.dashboard_reports = reports_dir or DEFAULT_REPORTS
    app.router.routes.extend(dashboard_routes())
    return app
