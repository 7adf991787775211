"""Who may call what. Open by default (a vendor's laptop); with an access file, every call needs credentials.

A service call carries `Authorization: Bearer <token>`; the token names the vendor system, whose
serviceaftale lists the kommuner (and optionally operations) it may call. A refusal looks like
Serviceplatformen's (`ServiceplatformFault` → `ErrorList` → `Error`, oeir.md §7, §11). The admin API has
its own credentials (the operator's); a vendor's token opens only its own tenants' admin routes, and only
when its serviceaftale says `admin: true`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from testkommune.contracts.errors import UsageError
from testkommune.contracts.findings import Finding, describe_all
from testkommune.contracts.schemas import contract_set

_TENANT_PATH = re.compile(r"^/admin/tenants/(?P<kommune>[^/]+)/(?P<system>[^/]+)(?:/|$)")


class AccessFileError(UsageError):
    """The access file is missing or breaks its format (a usage error)."""


@dataclass(frozen=True, slots=True)
class Serviceaftale:
    system: str
    kommuner: frozenset[str]
    operations: frozenset[str] | None
    admin: bool = False
    """The token may also steer and inspect this system's own tenants through the admin API."""

    def owns(self, admin_path: str) -> bool:
        """Is `admin_path` a route of this system's own tenants (/admin/tenants/{kommune}/{system}/…)?"""
        match = _TENANT_PATH.match(admin_path)
        return bool(match and match["kommune"] in self.kommuner and match["system"] == self.system)


@dataclass(frozen=True, slots=True)
class Refusal:
    status: int
    finding: Finding


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _bearer(authorization: str | None) -> str | None:
    if not authorization or not authorization.lower().startswith("bearer "):
        return None
    return authorization[7:].strip() or None


@dataclass
class AccessPolicy:
    """Open (no file given) or closed by an access file."""

    open: bool = True
    admin_digests: tuple[str, ...] = ()
    aftaler: dict[str, Serviceaftale] = field(default_factory=dict)

    def _match(self, token: str | None, digests: Any) -> str | None:
        if token is None:
            return None
        candidate = digest(token)
        for known in digests:
            if hmac.compare_digest(candidate, known):
                return known
        return None

    def admin(self, authorization: str | None, path: str = "") -> Refusal | None:
        """None when the caller may use the admin route `path`: the operator's token opens every one, a
        vendor token with admin rights its own tenants' routes."""
        if self.open:
            return None
        token = _bearer(authorization)
        if self._match(token, self.admin_digests) is not None:
            return None
        known = self._match(token, self.aftaler)
        if known is not None and self.aftaler[known].admin and self.aftaler[known].owns(path):
            return None
        return Refusal(401, Finding("ADMIN-ADGANG", "$", {}))

    def service(
        self, authorization: str | None, kommune: str, system: str | None, operation: str
    ) -> str | Refusal:
        """The calling system's id, or why it may not make this call."""
        token = _bearer(authorization)
        known = self._match(token, self.aftaler)
        if known is None:
            return Refusal(401, Finding("SP-ADGANG-UGYLDIG", "$", {"value": "Authorization"}))
        aftale = self.aftaler[known]
        if system and system != aftale.system:
            return Refusal(
                403, Finding("SP-ANVENDERSYSTEM", "$", {"value": system, "expected": aftale.system})
            )
        if kommune not in aftale.kommuner or (
            aftale.operations is not None and operation not in aftale.operations
        ):
            return Refusal(
                403,
                Finding(
                    "SP-INGEN-SERVICEAFTALE",
                    "$",
                    {"value": kommune, "system": aftale.system, "operation": operation},
                ),
            )
        return aftale.system


OPEN = AccessPolicy()


def load_policy(path: Path) -> AccessPolicy:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AccessFileError(f"cannot read access file {path}: {exc}") from exc
    problems = contract_set().get("harness/adgang").check(raw)
    if problems:
        lines = "\n".join(f"  {p['path']}: {p['text_en']}" for p in describe_all(problems))
        raise AccessFileError(f"access file {path} breaks its format:\n{lines}")
    aftaler: dict[str, Serviceaftale] = {}
    for entry in raw["serviceaftaler"]:
        secret = entry.get("token_sha256") or (digest(entry["token"]) if "token" in entry else None)
        if secret is None:
            raise AccessFileError(
                f"access file {path}: serviceaftale for {entry['anvendersystem']} has no token"
            )
        ops = entry.get("operationer")
        aftaler[secret] = Serviceaftale(
            entry["anvendersystem"],
            frozenset(entry["kommuner"]),
            frozenset(ops) if ops is not None else None,
            admin=bool(entry.get("admin", False)),
        )
    admins = tuple(a.get("token_sha256") or digest(a["token"]) for a in raw["admin"])
    return AccessPolicy(open=False, admin_digests=admins, aftaler=aftaler)


def fault_body(refusal: Refusal) -> dict[str, Any]:
    """Serviceplatformen's fault structure, carried beside the problem's error list."""
    described = describe_all([refusal.finding])[0]
    return {
        "ServiceplatformFault": {
            "ErrorList": {"Error": [{"ErrorCode": described["code"], "ErrorText": described["text_da"]}]}
        }
    }
