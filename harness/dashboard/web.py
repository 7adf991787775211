"""What every dashboard page shares: templates, language, the viewer, headers (strict CSP), form bodies."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from testkommune.contracts import __version__
from testkommune.harness.dashboard.reader import AdminReader
from testkommune.harness.dashboard.texts import LANGUAGES, text
from testkommune.harness.dashboard.viewer import Viewer, viewer_of

HERE = Path(__file__).resolve().parent
LANGUAGE_COOKIE = "tk_sprog"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
_ENV = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
)


def language(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE, "da")
    return chosen if chosen in LANGUAGES else "da"


def viewer(request: Request) -> Viewer:
    return viewer_of(request, request.app.state.sim.access)


def reader(request: Request, who: Viewer) -> AdminReader:
    return AdminReader(request.app, who.authorization)


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    """A page in the viewer's language with the dashboard's security headers."""
    lang = language(request)
    who = viewer(request)
    html = _ENV.get_template(template).render(
        t=lambda key, **kw: text(key, lang).format(**kw),
        lang=lang,
        other_lang="en" if lang == "da" else "da",
        here=request.url.path,
        viewer=who,
        closed=not request.app.state.sim.access.open,
        version=__version__,
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def redirect(path: str) -> Response:
    return RedirectResponse(local(path), status_code=303, headers=SECURITY_HEADERS)


def local(path: str) -> str:
    """`path` if it stays on this site, else `/` (no open redirect)."""
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith("//"):
        return "/"
    return path


async def form(request: Request) -> dict[str, str]:
    """An urlencoded form body (the dashboard's forms post nothing else), each field's first value."""
    body = (await request.body())[:65536].decode("utf-8", errors="replace")
    return {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}


def same_origin(request: Request) -> bool:
    """A form post comes from this site (a browser always sends Origin on a POST)."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")
