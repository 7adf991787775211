"""Issue 14: large work for one tenant does not hold up another, on a SQLite file (as `serve`).

- PSRM's batch takes a leverance of 1,000 actions (the contract's most) in bounded parts, each committed;
- a large read-only admin view (the state of a tenant with 3,000 claims, about 3.5 MB; the invariants over
  all of them) is read and built beside the event loop (a journal page of 5,000 exchanges too, measured
  by `benchmarks/stall_probe.py`-style runs, not here: a test tenant's journal is not that large).

The proof is an order, not a time (as in tests/test_masse_backlog.py): the other tenant's answers arrive
while the large call's answer has not arrived yet.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from testkommune.harness.server import start_in_thread

from tests.conftest import Api
from tests.messages import OIR_B01, fordring, opret, psrm_leverance_of
from tests.test_masse_backlog import _answered, _send

ACTIONS = 1000  # MFFordringIndberet_I: FordringAktion maxItems
LEVERANCER = 3
OTHER_CALLS = 3


def _leverance(name: str) -> dict[str, Any]:
    return psrm_leverance_of(ACTIONS, name)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with start_in_thread(f"sqlite:///{tmp_path_factory.mktemp('apart') / 'state.db'}") as kommune:
        yield kommune.base_url


def _tenant(base_url: str) -> Api:
    tenant = Api(base_url, "851", f"big-{uuid.uuid4().hex[:8]}")
    tenant.clock(set="2026-09-20")
    return tenant


@pytest.fixture(scope="module")
def big(base_url: str) -> Api:
    """A tenant with LEVERANCER × ACTIONS claims in PSRM."""
    tenant = _tenant(base_url)
    for number in range(LEVERANCER):
        assert tenant.post("/psrm/MFFordringIndberet", _leverance(f"L{number}")).status_code == 200
        assert tenant.post("/psrm/MFKvitteringHent", {"MFLeveranceID": f"L{number}"}).status_code == 200
    return tenant


def _others_answered_meanwhile(base_url: str, pending: Any) -> None:
    other = Api(base_url, "101", f"other-{uuid.uuid4().hex[:8]}")
    other.clock(set="2026-09-20")
    for number in range(OTHER_CALLS):  # each sent after the large call, each answered before it
        assert other.post(f"{OIR_B01}/OpretDebitorkonto", opret(fordring(f"O{number}"))).status_code == 200
        assert not _answered(pending), "the other tenant waited for the whole of the large call"
    response = pending.getresponse()
    assert response.status == 200, response.read()[:500]


def test_another_tenant_is_answered_while_1000_psrm_actions_are_processed(base_url: str):
    tenant = _tenant(base_url)
    assert tenant.post("/psrm/MFFordringIndberet", _leverance("L0")).status_code == 200
    fetch = _send(base_url, "POST", "/psrm/MFKvitteringHent", {"MFLeveranceID": "L0"}, tenant.headers)
    _others_answered_meanwhile(base_url, fetch)
    receipt = tenant.post("/psrm/MFKvitteringHent", {"MFLeveranceID": "L0"}).json()[
        "FordringAktionStatusSamling"
    ]
    assert [a["MFAktionStatusKode"] for a in receipt["MFAktionStruktur"]] == ["UDFOERT"] * ACTIONS


@pytest.mark.parametrize("view", ["state", "invarianter"])
def test_another_tenant_is_answered_while_a_large_view_is_read(base_url: str, big: Api, view: str):
    claims = big.session.get(f"{big.admin_path}/state", timeout=60).json()["psrm"]["claims"]
    assert len(claims) >= LEVERANCER * ACTIONS  # the first test's claims: the view is large
    _others_answered_meanwhile(
        base_url, _send(base_url, "GET", f"{urlsplit(big.admin_path).path}/{view}", None, {})
    )
