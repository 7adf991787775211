"""Issue 14, finding 2: a large masseleverance does not hold up another tenant. Its 500 bilag are booked in
bounded parts, each committed, and another tenant's calls are answered between the parts, while the call
that has them booked is still outstanding; nothing acknowledged is lost and a re-delivery books nothing twice.

Real HTTP on 127.0.0.1 against a server with a SQLite file (as `serve`) and one in memory. The proof is an
order, not a time: the other tenant's answers arrive while the masse tenant's answer has not arrived yet.
"""

from __future__ import annotations

import http.client
import json
import select
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from testkommune.harness.server import start_in_thread

from tests.conftest import Api
from tests.erp_messages import HENT, MASSE, STRAKS, finansbilag, modtag, opkraevning

BILAG = 500  # the contract's most (ModtagFinansbilagMasse_I maxItems)
PAIRS = 9  # 18 lines a bilag: about 1.7 MB in all, 9,000 postings to book
OTHER_CALLS = 3


@pytest.fixture(params=["file", "memory"])
def base_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    db = f"sqlite:///{tmp_path / 'state.db'}" if request.param == "file" else ":memory:"
    with start_in_thread(db) as kommune:
        yield kommune.base_url


def _send(
    base_url: str, method: str, path: str, body: Any, headers: dict[str, str]
) -> http.client.HTTPConnection:
    """Send one request whole and return its connection, without waiting for the answer."""
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=120)
    if body is None:
        connection.request(method, path, headers=headers)
    else:
        payload = json.dumps(body, ensure_ascii=False).encode()
        connection.request(method, path, body=payload, headers=headers | {"content-type": "application/json"})
    return connection


def _answered(connection: http.client.HTTPConnection) -> bool:
    """Whether any byte of the answer has arrived (a look at the socket, no waiting)."""
    assert connection.sock is not None
    readable, _, _ = select.select([connection.sock], [], [], 0)
    return bool(readable)


def _posteringer(api: Api) -> int:
    response = api.session.get(f"{api.admin_path}/erp/posteringer", timeout=60)
    assert response.status_code == 200, response.text[:500]
    return int(response.json()["Antal"])


@pytest.mark.parametrize("trigger", ["hent", "clock", "admin-view"])
def test_another_tenant_is_answered_while_a_500_bilag_masse_is_booked(base_url: str, trigger: str):
    masse_tenant = Api(base_url, "851", f"masse-{uuid.uuid4().hex[:8]}")
    masse_tenant.clock(set="2026-09-20")
    if trigger == "clock":  # booked when the clock passes the processing time, else at the next call
        masse_tenant.settings({"erp": {"masse_behandlingstid_sekunder": 3600}})
    run = uuid.uuid4().hex[:8]
    bilag = [finansbilag(opkraevning(100.0 + i) * PAIRS, bilag_id=f"S-{run}-{i}") for i in range(BILAG)]
    message = {"Hovedoplysninger": modtag()["Hovedoplysninger"], "Finansbilag": bilag}
    transaktion = message["Hovedoplysninger"]["TransaktionsID"]
    delivered = masse_tenant.post(MASSE, message)
    assert delivered.status_code == 200, delivered.text[:500]
    assert delivered.json()["Forretningskvittering"]["AntalBilag"] == BILAG

    other = Api(base_url, "101", f"other-{uuid.uuid4().hex[:8]}")
    other.clock(set="2026-09-20")
    if trigger == "hent":
        pending = _send(base_url, "POST", HENT, {"TransaktionsID": transaktion}, masse_tenant.headers)
    elif trigger == "clock":
        path = urlsplit(masse_tenant.admin_path).path + "/clock"
        pending = _send(base_url, "POST", path, {"advance": "2h"}, {})
    else:  # an admin view of the tenant has its due batch work done first, in parts too
        path = urlsplit(masse_tenant.admin_path).path + f"/erp/bilag/S-{run}-0"
        pending = _send(base_url, "GET", path, None, {})

    for _ in range(OTHER_CALLS):  # each sent after the booking call, each answered before it
        answer = other.post(STRAKS, modtag(finansbilag(kommune="101")))
        assert answer.status_code == 200, answer.text[:500]
        assert answer.json()["Forretningskvittering"]["Status"] in {"GODKENDT", "AFVIST"}
        assert not _answered(pending), "the other tenant waited for the whole masseleverance"

    response = pending.getresponse()
    assert response.status == 200, response.read()[:500]
    done = masse_tenant.post(HENT, {"TransaktionsID": transaktion}).json()
    assert done["Behandlet"] is True
    assert [a["Status"] for a in done["Forretningskvittering"]] == ["GODKENDT"] * BILAG
    assert _posteringer(masse_tenant) == BILAG * PAIRS * 2

    again = masse_tenant.post(MASSE, message)  # a re-delivery gets the stored answer and books nothing
    assert again.status_code == 200
    assert again.json()["Kvittering"]["Genfremsendt"] is True
    assert _posteringer(masse_tenant) == BILAG * PAIRS * 2
