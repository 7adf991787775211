"""A client of the test kommune's admin API: the harness's eyes and its hand on the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import requests
from testkommune.contracts.errors import SetupError


class KommuneUnavailableError(SetupError):
    """The test kommune did not answer (not running, wrong URL)."""


class _Session(requests.Session):
    """A session that reads the proxy and CA settings of the environment once per origin, not per request
    (requests re-reads them on every call; with hundreds of scenarios that was a tenth of a run)."""

    def __init__(self) -> None:
        super().__init__()
        self._environment: dict[tuple[Any, ...], Any] = {}  # requests' own settings mapping

    def merge_environment_settings(self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any) -> Any:
        origin = urlsplit(str(url))
        key = (origin.scheme, origin.netloc, repr(proxies), stream, repr(verify), repr(cert))
        if key not in self._environment:
            self._environment[key] = super().merge_environment_settings(url, proxies, stream, verify, cert)
        return self._environment[key]


def every_page(fetch: Callable[[int], dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Every item of a paged admin view: `fetch(after)` answers one page, whose `Næste` says where the next
    one starts (None on the last) and whose `key` holds the items."""
    items: list[dict[str, Any]] = []
    after: int | None = 0
    while after is not None:
        page = fetch(after)
        items.extend(page[key])
        after = page.get("Næste")
    return items


class AdminClient:
    """The admin API of one tenant. With `owns_clock` (a certification run) the client is the only one
    that moves the tenant's frozen clock, so it remembers the clock its own calls returned instead of
    asking again before every step; a running clock is always asked."""

    def __init__(
        self,
        base_url: str,
        kommune: str,
        system: str,
        *,
        timeout: float = 30.0,
        token: str | None = None,
        owns_clock: bool = False,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tenant_path = f"{self.base_url}/admin/tenants/{kommune}/{system}"
        self.session = _Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self.timeout = timeout
        self.owns_clock = owns_clock
        self._frozen: dict[str, Any] | None = None  # the clock as this client last set or read it, frozen

    def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise KommuneUnavailableError(
                f"the test kommune at {self.base_url} did not answer: {exc}"
            ) from exc
        if response.status_code >= 400:
            raise KommuneUnavailableError(
                f"{method} {url} answered {response.status_code}: {response.text[:300]}"
            )
        return response.json()

    def health(self) -> dict[str, Any]:
        return self._call("GET", f"{self.base_url}/admin/health")

    def reset(self) -> None:
        self._frozen = None
        self._call("POST", f"{self.tenant_path}/reset")

    def set_clock(self, instant: str, *, running: bool = False) -> dict[str, Any]:
        return self._clock_call("POST", json={"set": instant, "running": running})

    def advance(self, duration: str) -> dict[str, Any]:
        return self._clock_call("POST", json={"advance": duration})

    def advance_to(self, instant: str) -> dict[str, Any]:
        return self._clock_call("POST", json={"advance_to": instant})

    def clock(self) -> dict[str, Any]:
        if self._frozen is not None:
            return dict(self._frozen)
        return self._clock_call("GET")

    def _clock_call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        answer: dict[str, Any] = self._call(method, f"{self.tenant_path}/clock", **kwargs)
        self._frozen = dict(answer) if self.owns_clock and not answer.get("running") else None
        return answer

    def today(self) -> date:
        return date.fromisoformat(self.clock()["today"])

    def state(self) -> dict[str, Any]:
        return self._call("GET", f"{self.tenant_path}/state")

    def journal(self, limit: int = 5000, after: int = 0) -> list[dict[str, Any]]:
        params = {"limit": limit, "after": after}
        return self._call("GET", f"{self.tenant_path}/journal", params=params)["entries"]

    def start_attestation(self) -> dict[str, Any]:
        """Ask the kommune to keep a record of this tenant's journal from the next reset on."""
        return self._call("POST", f"{self.tenant_path}/attestation/start")

    def attest(self, manifest_sha256: str) -> dict[str, Any]:
        """The kommune's signed statement binding a bundle's manifest hash to the journal it recorded."""
        body = {"manifest_sha256": manifest_sha256}
        return self._call("POST", f"{self.tenant_path}/attestation", json=body)

    def invariants(self) -> dict[str, Any]:
        """The cross-system bookkeeping invariants over the tenant's state, each with its violations."""
        return self._call("GET", f"{self.tenant_path}/invarianter")

    def inject(self, fault: dict[str, Any]) -> None:
        """Inject a fault (contract admin/Fejl_I)."""
        self._call("POST", f"{self.tenant_path}/faults", json=fault)

    def inject_fault(self, kind: str, operation: str, count: int = 1, name: str | None = None) -> None:
        body = {"kind": kind, "operation": operation, "count": count, "name": name or kind}
        self._call("POST", f"{self.tenant_path}/faults", json=body)

    def erp(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        """GET one of the ERP's admin views, e.g. 'posteringer', 'bilag/<id>', 'nulsumtest/<id>'."""
        return self._call("GET", f"{self.tenant_path}/erp/{path}", params=params)

    def erp_posteringer(self) -> list[dict[str, Any]]:
        """Every booked posting of the tenant, page by page (the view answers at most a page at a time)."""

        def page(after: int) -> dict[str, Any]:
            return self.erp("posteringer", params={"after": str(after), "limit": "5000"})

        return every_page(page, "Posteringer")

    def erp_perioder(self, months: list[str] | None) -> dict[str, Any]:
        """Set the ERP's open accounting months (None: back to the default)."""
        return self._call("PUT", f"{self.tenant_path}/erp/perioder", json={"ÅbnePerioder": months})

    def nemkonto(self, path: str) -> dict[str, Any]:
        """GET one of NemKonto's admin views, e.g. 'betalinger'."""
        return self._call("GET", f"{self.tenant_path}/nemkonto/{path}")

    def nemkonto_konto(self, kind: str, number: str) -> dict[str, Any]:
        """Give a payee (CPR, CVR or SE) a synthetic NemKonto account in the tenant's register."""
        body = {"Registreringsnummer": "9999", "Kontonummer": number[-10:].lstrip("0") or "1"}
        return self._call("PUT", f"{self.tenant_path}/nemkonto/register/{kind}/{number}", json=body)

    def debitor(self) -> dict[str, Any]:
        """The debitor system's admin view: profile, accounts with claims, letters, mailbox, payments."""
        return self._call("GET", f"{self.tenant_path}/debitor")

    def psrm_indbetaling(self, skyldner: str, amount: float, day: date) -> dict[str, Any]:
        """A debtor's payment reaching Gældsstyrelsen on `day` (contract admin/Indbetaling_I)."""
        body = {"SkyldnerID": skyldner, "Beløb": amount, "BetalingDato": day.isoformat()}
        return self._call("POST", f"{self.tenant_path}/psrm/indbetalinger", json=body)

    def modregning(self, skyldner: str, amount: float, reference: str) -> dict[str, Any]:
        """A coming payout set off against the debtor's overdue claims (admin/DebitorModregning_I)."""
        body = {"SkyldnerID": skyldner, "Beløb": amount, "Reference": reference}
        return self._call("POST", f"{self.tenant_path}/debitor/modregning", json=body)

    def settings(self, changes: dict[str, Any] | None = None) -> dict[str, Any]:
        if changes:
            return self._call("PATCH", f"{self.tenant_path}/settings", json=changes)["settings"]
        return self._call("GET", f"{self.tenant_path}/settings")["settings"]
