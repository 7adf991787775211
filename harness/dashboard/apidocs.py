"""Interactive API docs at /docs: Swagger UI from the `swagger-ui-bundle` package's own files (no CDN),
pointed at /openapi.json, under a CSP that allows only this site's scripts."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Route

HERE = Path(__file__).resolve().parent
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png")
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>testkommune · API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"><p>The API documentation needs JavaScript; the document itself is at
<a href="/openapi.json">/openapi.json</a>.</p></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
<script src="/docs/assets/testkommune-init.js"></script>
</body>
</html>
"""


def _bundle() -> Path | None:
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return None
    return Path(swagger_ui_path)


async def docs_page(request: Request) -> Response:
    if _bundle() is None:
        return HTMLResponse(
            "<p>Swagger UI is not installed (pip install swagger-ui-bundle); the document is at "
            '<a href="/openapi.json">/openapi.json</a>.</p>',
            status_code=503,
            headers=HEADERS,
        )
    return HTMLResponse(PAGE, headers=HEADERS)


async def asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name == "testkommune-init.js":
        return FileResponse(
            HERE / "static" / "swagger-init.js", media_type="text/javascript", headers=HEADERS
        )
    folder = _bundle()
    if folder is None or name not in ASSETS:
        return Response(status_code=404, headers=HEADERS)
    return FileResponse(folder / name, headers=HEADERS | {"Cache-Control": "max-age=86400"})


def docs_routes() -> list[BaseRoute]:
    return [
        Route("/docs", docs_page, methods=["GET"], include_in_schema=False),
        Route("/docs/assets/{name}", asset, methods=["GET"], include_in_schema=False),
    ]
