"""NemKonto's admin routes."""

from __future__ import annotations

from starlette.routing import Route


def admin_routes() -> list[Route]:
    """NemKonto's admin routes (mounted beside `simulators.admin.routes.admin_routes()`)."""
    return []
