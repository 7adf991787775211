"""Who may call what: serviceaftaler per system and kommune, admin apart, no cross-tenant reach."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml
from testkommune.harness.server import start_in_thread
from testkommune.simulators.access import AccessFileError, digest, load_policy

from tests.messages import OIR_B01, OIR_B02, codes, fordring, opret

ROOT = Path(__file__).resolve().parents[1]
ADMIN = "admin-secret-0123456789"
VENDOR_A = "vendor-a-secret-0123456789"
VENDOR_B = "vendor-b-secret-0123456789"
ACCESS = {
    "admin": [{"token_sha256": digest(ADMIN)}],
    "serviceaftaler": [
        {"anvendersystem": "vendor-a", "token_sha256": digest(VENDOR_A), "kommuner": ["851", "101"]},
        {
            "anvendersystem": "vendor-b",
            "token": VENDOR_B,
            "kommuner": ["851"],
            "operationer": ["OpretDebitorkonto", "HentDebitorkonto"],
        },
    ],
}


@pytest.fixture(scope="module")
def closed(tmp_path_factory):
    path = tmp_path_factory.mktemp("access") / "access.yaml"
    path.write_text(yaml.safe_dump(ACCESS), "utf-8")
    kommune = start_in_thread(":memory:", access=load_policy(path))
    yield kommune
    kommune.stop()


def _call(
    base: str,
    token: str | None,
    kommune: str = "851",
    path: str = f"{OIR_B01}/OpretDebitorkonto",
    body: dict | None = None,
    system: str | None = None,
) -> requests.Response:
    headers = {"X-TK-Kommune": kommune}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if system:
        headers["X-TK-Anvendersystem"] = system
    return requests.post(base + path, json=body or opret(fordring()), headers=headers, timeout=30)


def _fault(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert codes(body["errors"]) == {code}
    error = body["ServiceplatformFault"]["ErrorList"]["Error"][0] if "ServiceplatformFault" in body else None
    if code.startswith("SP-"):
        assert error is not None and error["ErrorCode"] == code and error["ErrorText"]


def test_a_call_without_or_with_a_wrong_token_is_refused(closed):
    _fault(_call(closed.base_url, None), 401, "SP-ADGANG-UGYLDIG")
    _fault(_call(closed.base_url, "not-a-known-token-at-all"), 401, "SP-ADGANG-UGYLDIG")


def test_a_kommune_outside_the_serviceaftale_is_refused_like_serviceplatformen(closed):
    _fault(_call(closed.base_url, VENDOR_B, kommune="101"), 403, "SP-INGEN-SERVICEAFTALE")
    assert _call(closed.base_url, VENDOR_A, kommune="101").status_code == 200


def test_an_operation_outside_the_serviceaftale_is_refused(closed):
    body = {
        "Hovedoplysninger": opret()["Hovedoplysninger"],
        "RetFordringTilstand": {"FordringReference": "F1", "FordringTilstand": "OVERDRAG_TIL_INDDRIVELSE"},
    }
    _fault(
        _call(closed.base_url, VENDOR_B, path=f"{OIR_B01}/RetFordringTilstand", body=body),
        403,
        "SP-INGEN-SERVICEAFTALE",
    )


def test_a_token_cannot_speak_for_another_system(closed):
    _fault(_call(closed.base_url, VENDOR_A, system="vendor-b"), 403, "SP-ANVENDERSYSTEM")


def test_no_cross_tenant_read_or_write(closed):
    base = closed.base_url
    shared = opret(fordring("SAME-REF"), account="SAME-ACCOUNT")
    first = _call(base, VENDOR_A, body=shared)
    assert first.json()["Forretningskvittering"]["Status"] == "GODKENDT", first.text
    # vendor B cannot read vendor A's account, and its own write does not touch A's state
    assert (
        _call(
            base, VENDOR_B, path=f"{OIR_B02}/HentDebitorkonto", body={"DebitorkontoReference": "SAME-ACCOUNT"}
        ).status_code
        == 404
    )
    assert _call(base, VENDOR_B, body=opret(fordring("SAME-REF"), account="SAME-ACCOUNT")).status_code == 200
    admin = {"Authorization": f"Bearer {ADMIN}"}
    state_a = requests.get(f"{base}/admin/tenants/851/vendor-a/state", headers=admin, timeout=30).json()
    state_b = requests.get(f"{base}/admin/tenants/851/vendor-b/state", headers=admin, timeout=30).json()
    assert [c["FordringReference"] for c in state_a["debitor"]["claims"]] == ["SAME-REF"]
    assert [c["FordringReference"] for c in state_b["debitor"]["claims"]] == ["SAME-REF"]
    assert state_a["debitor"]["claims"][0]["FordringID"] != state_b["debitor"]["claims"][0]["FordringID"]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/tenants/851/vendor-a/state",
        "/admin/tenants/851/vendor-a/journal",
        "/admin/tenants/851/vendor-a/psrm/afstemning",
    ],
)
def test_the_admin_api_needs_the_admin_token_and_a_vendor_token_does_not_open_it(closed, path):
    for headers in ({}, {"Authorization": f"Bearer {VENDOR_A}"}):
        response = requests.get(closed.base_url + path, headers=headers, timeout=30)
        assert response.status_code == 401 and codes(response.json()["errors"]) == {"ADMIN-ADGANG"}
    ok = requests.get(closed.base_url + path, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30)
    assert ok.status_code == 200
    assert requests.get(f"{closed.base_url}/admin/health", timeout=30).status_code == 200


def test_a_broken_access_file_is_explained(tmp_path):
    path = tmp_path / "access.yaml"
    path.write_text("admin: []\nserviceaftaler: [{anvendersystem: X}]\n", "utf-8")
    with pytest.raises(AccessFileError, match=r"\$\.admin"):
        load_policy(path)


def test_certify_against_a_closed_test_kommune_with_tokens(tmp_path, closed):
    env = os.environ | {"PYTHONPATH": str(ROOT), "TESTKOMMUNE_ADMIN_TOKEN": ADMIN}
    args = [
        sys.executable,
        "-m",
        "testkommune.harness",
        "certify",
        "--fagsystem",
        "reference",
        "--url",
        closed.base_url,
        "--system",
        "vendor-a",
        "--scenario",
        "BASIS-01",
    ]
    refused = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "SP-ADGANG-UGYLDIG" in refused.stdout
    passed = subprocess.run(
        [*args, "--token", VENDOR_A], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr


def _service_paths(base: str) -> list[str]:
    """Every service operation the test kommune publishes (admin and meta paths excluded)."""
    document = requests.get(f"{base}/openapi.json", timeout=30).json()
    paths = [p for p in document["paths"] if p.startswith(("/service/", "/psrm/"))]
    assert len(paths) >= 10, paths  # ØiR B_01/B_02, PSRM, ERP at least
    return paths


def test_every_service_operation_refuses_a_caller_without_a_serviceaftale(closed):
    """No operation, whichever counterpart publishes it, admits a stranger or reaches past an agreement."""
    base = closed.base_url
    for path in _service_paths(base):
        _fault(_call(base, None, path=path, body={}), 401, "SP-ADGANG-UGYLDIG")
        _fault(_call(base, VENDOR_A, kommune="147", path=path, body={}), 403, "SP-INGEN-SERVICEAFTALE")
        _fault(_call(base, VENDOR_B, kommune="101", path=path, body={}), 403, "SP-INGEN-SERVICEAFTALE")


def test_one_vendor_cannot_fetch_another_vendors_forretningskvittering(closed):
    from tests.erp_messages import HENT, STRAKS, modtag

    base = closed.base_url
    delivery = modtag()
    sent = _call(base, VENDOR_A, path=STRAKS, body=delivery)
    assert sent.status_code == 200, sent.text
    own = {"TransaktionsID": delivery["Hovedoplysninger"]["TransaktionsID"]}
    assert _call(base, VENDOR_A, path=HENT, body=own).status_code == 200
    foreign = _call(base, VENDOR_B, path=HENT, body=own)
    assert foreign.status_code in (403, 404), foreign.text
    assert delivery["Finansbilag"]["BilagID"] not in foreign.text
