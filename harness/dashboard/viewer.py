"""Who is looking at the dashboard, and which tenants they may see.

Open kommune: everybody sees everything (as the admin API). Closed (`serve --access FILE`): the admin token
sees every tenant; a vendor system's token sees the tenants of its own system in the kommuner of its
serviceaftale; anyone else sees the sign-in form. The token comes from `Authorization: Bearer …` or from
the sign-in form, kept in an HttpOnly, SameSite=Strict cookie.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from starlette.requests import Request
from testkommune.simulators.access import AccessPolicy, digest

COOKIE = "tk_adgang"


@dataclass(frozen=True, slots=True)
class Viewer:
    """The person behind a request: everything (`admin`), one vendor system's tenants, or nothing."""

    admin: bool
    system: str | None = None
    kommuner: frozenset[str] = frozenset()
    authorization: str | None = None

    @property
    def signed_in(self) -> bool:
        return self.admin or self.system is not None

    def may_see(self, kommune: str, system: str) -> bool:
        if self.admin:
            return True
        return self.system == system and kommune.removeprefix("0")[-3:] in self.kommuner


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer ") and header[7:].strip():
        return header[7:].strip()
    return request.cookies.get(COOKIE) or None


def viewer_of(request: Request, policy: AccessPolicy) -> Viewer:
    """The viewer of this request under `policy`."""
    return viewer_for(_token(request), policy)


def viewer_for(token: str | None, policy: AccessPolicy) -> Viewer:
    """Who holds `token` under `policy`."""
    if policy.open:
        return Viewer(admin=True)
    if token is None:
        return Viewer(admin=False)
    authorization = f"Bearer {token}"
    if policy.admin(authorization) is None:
        return Viewer(admin=True, authorization=authorization)
    candidate = digest(token)
    for known, aftale in policy.aftaler.items():
        if hmac.compare_digest(candidate, known):
            return Viewer(False, aftale.system, frozenset(aftale.kommuner), authorization)
    return Viewer(admin=False)
