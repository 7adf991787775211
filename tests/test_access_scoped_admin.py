"""Issue 14, finding 9: a vendor's token may carry admin rights over its own tenants only; `certify` against a
closed kommune works with that token alone; the operator's token still opens everything."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import requests
import yaml
from testkommune.harness.server import start_in_thread
from testkommune.simulators.access import digest, load_policy

from tests.messages import codes
from tests.test_access import ROOT

OPERATOR = "operator-secret-0123456789"
VENDOR_A = "vendor-a-secret-0123456789"
VENDOR_B = "vendor-b-secret-0123456789"
ACCESS = {
    "admin": [{"token_sha256": digest(OPERATOR)}],
    "serviceaftaler": [
        {"anvendersystem": "vendor-a", "token": VENDOR_A, "kommuner": ["851", "101"], "admin": True},
        {"anvendersystem": "vendor-b", "token": VENDOR_B, "kommuner": ["851"]},
    ],
}
OWN = "/admin/tenants/851/vendor-a"


@pytest.fixture(scope="module")
def closed(tmp_path_factory):
    path = tmp_path_factory.mktemp("scoped") / "access.yaml"
    path.write_text(yaml.safe_dump(ACCESS), "utf-8")
    kommune = start_in_thread(":memory:", access=load_policy(path))
    yield kommune
    kommune.stop()


def _as(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/reset", None),
        ("POST", "/clock", {"set": "2026-09-20"}),
        ("GET", "/clock", None),
        ("PATCH", "/settings", {"psrm": {"behandlingstid_sekunder": 0}}),
        ("POST", "/faults", {"kind": "error", "operation": "OpretDebitorkonto"}),
        ("DELETE", "/faults", None),
        ("GET", "/state", None),
        ("GET", "/journal", None),
        ("GET", "/debitor", None),
    ],
)
def test_a_vendor_token_with_admin_rights_steers_its_own_tenants(closed, method, path, body):
    for kommune in ("851", "101"):
        url = f"{closed.base_url}/admin/tenants/{kommune}/vendor-a{path}"
        response = requests.request(method, url, json=body, headers=_as(VENDOR_A), timeout=30)
        assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "path",
    [
        "/admin/tenants/851/vendor-b/state",  # another vendor's tenant
        "/admin/tenants/999/vendor-a/state",  # a kommune outside its serviceaftale
        "/admin/tenants/851/vendor-a-x/state",  # a longer system id
        "/admin/debitorprofiler",  # not a tenant's
    ],
)
def test_its_admin_rights_reach_no_other_tenant(closed, path):
    response = requests.get(closed.base_url + path, headers=_as(VENDOR_A), timeout=30)
    assert response.status_code == 401 and codes(response.json()["errors"]) == {"ADMIN-ADGANG"}
    assert requests.get(closed.base_url + path, headers=_as(OPERATOR), timeout=30).status_code == 200


def test_a_vendor_token_without_admin_rights_opens_no_admin_route(closed):
    response = requests.get(
        f"{closed.base_url}/admin/tenants/851/vendor-b/state", headers=_as(VENDOR_B), timeout=30
    )
    assert response.status_code == 401


def test_certify_against_a_closed_kommune_with_the_vendors_token_alone(tmp_path, closed):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TESTKOMMUNE_")}
    env |= {"PYTHONPATH": str(ROOT), "TESTKOMMUNE_TOKEN": VENDOR_A}
    command = [sys.executable, "-m", "testkommune.harness", "certify", "--fagsystem", "reference"]
    command += ["--url", closed.base_url, "--system", "vendor-a", "--scenario", "BASIS-01"]
    result = subprocess.run(
        command,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
