"""The web dashboard `testkommune serve` shows at `/`, and the interactive API docs at `/docs`.

Server-rendered (Jinja2), in Danish and English, without JavaScript (the API docs excepted), no external
resources, a strict CSP. A shell on the top floor: it reads and steers tenants through the admin API in
process (`reader.py`) and decides who sees what itself (`viewer.py`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from testkommune.harness.dashboard import site_pages, tenant_pages
from testkommune.harness.dashboard.apidocs import docs_routes

DEFAULT_REPORTS = Path("testkommune-reports")
_T = "/tenants/{kommune}/{system}"


def dashboard_routes() -> list[BaseRoute]:
    """Every route of the dashboard (none of them part of the OpenAPI document: they are pages)."""
    static = StaticFiles(directory=Path(__file__).resolve().parent / "static")
    return [
        _page("/", site_pages.index, methods=["GET"]),
        _page("/login", site_pages.login, methods=["GET", "POST"]),
        _page("/logout", site_pages.logout, methods=["POST"]),
        _page("/lang/{lang}", site_pages.choose_language, methods=["GET"]),
        _page("/reports", site_pages.reports, methods=["GET"]),
        _page("/reports/{name}", site_pages.report_file, methods=["GET"]),
        _page("/pages", site_pages.doc_page, methods=["GET"]),
        _page("/pages/{name:path}", site_pages.doc_page, methods=["GET"]),
        _page(_T, tenant_pages.tenant_page, methods=["GET"]),
        _page(f"{_T}/clock", tenant_pages.clock_post, methods=["POST"]),
        _page(f"{_T}/faults", tenant_pages.faults_post, methods=["POST"]),
        _page(f"{_T}/journal", tenant_pages.journal_page, methods=["GET"]),
        _page(f"{_T}/claims/{{reference:path}}", tenant_pages.claim_page, methods=["GET"]),
        *docs_routes(),
        Mount("/static", static, name="dashboard-static"),
    ]


def _page(path: str, endpoint: Callable[[Request], Awaitable[Response]], methods: list[str]) -> Route:
    """A page of the dashboard: a route left out of the OpenAPI document."""
    return Route(path, endpoint, methods=methods, include_in_schema=False)


def mount(app: Starlette, reports_dir: Path | None = None) -> Starlette:
    """Add the dashboard to a test kommune's app (`simulators.app.create_app`); reports are listed from
    `reports_dir` (default `testkommune-reports/`, where `certify` writes them)."""
    app.state.dashboard_reports = reports_dir or DEFAULT_REPORTS
    app.router.routes.extend(dashboard_routes())
    return app
