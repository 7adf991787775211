"""The test kommune a load run talks to: a given URL, or one started as a child process (`testkommune
serve`), so the server never shares the generator's CPU accounting or its gevent event loop."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

import requests
from testkommune.contracts.errors import SetupError


class KommuneStartError(SetupError):
    """The embedded test kommune did not come up."""


@dataclass
class ChildKommune:
    base_url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_child(db: str = ":memory:", timeout: float = 30.0) -> ChildKommune:
    """`python -m testkommune.harness serve` on a free loopback port; returns once /admin/health answers."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "testkommune.harness",
        "serve",
        "--port",
        str(port),
        "--db",
        db,
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = (process.stderr.read() if process.stderr else b"").decode(errors="replace")
            raise KommuneStartError(f"the test kommune exited at start: {error.strip()[-500:]}")
        try:
            if requests.get(f"{url}/admin/health", timeout=1).status_code == 200:
                return ChildKommune(url, process)
        except requests.RequestException:
            pass
        time.sleep(0.1)
    process.kill()
    raise KommuneStartError(f"the test kommune did not answer on {url} within {timeout:.0f} s")


def prepare_tenant(
    base_url: str, kommune: str, system: str, clock: str, admin_token: str | None = None
) -> dict[str, Any]:
    """Set the tenant's simulated clock for the run; returns the clock view."""
    headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
    response = requests.post(
        f"{base_url}/admin/tenants/{kommune}/{system}/clock", json={"set": clock}, headers=headers, timeout=30
    )
    if response.status_code != 200:
        raise KommuneStartError(
            f"cannot set the clock of {kommune}/{system}: {response.status_code} {response.text[:300]}"
        )
    return dict(response.json())


def served_operations(base_url: str) -> set[str]:
    """The paths the test kommune serves, from its /openapi.json."""
    response = requests.get(f"{base_url}/openapi.json", timeout=30)
    response.raise_for_status()
    return set(response.json().get("paths", {}))
