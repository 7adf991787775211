"""Fault injection: named, seedable, on the simulated clock, recorded in the journal."""

from __future__ import annotations

import time

import requests

from tests.messages import codes, fordring, opret


def _fault(api, **body) -> requests.Response:
    return requests.post(f"{api.admin_path}/faults", json=body, timeout=30)


def _journal(api) -> list[dict]:
    return requests.get(f"{api.admin_path}/journal", timeout=30).json()["entries"]


def test_a_service_window_on_the_simulated_clock_refuses_calls_and_books_nothing(api):
    assert (
        _fault(
            api,
            kind="service_window",
            name="nat-vindue",
            counterpart="oir",
            window_from="2026-09-20T08:00:00+02:00",
            window_to="2026-09-20T12:00:00+02:00",
        ).status_code
        == 200
    )
    refused = api.opret(opret(fordring("F1")))
    assert refused.status_code == 503 and codes(refused.json()["errors"]) == {"FAULT-TJENESTEVINDUE"}
    assert api.state()["debitor"]["claims"] == []
    assert '"nat-vindue"' in _journal(api)[-1]["response"]
    api.clock(advance_to="2026-09-20T12:00:00+02:00")
    assert api.opret(opret(fordring("F1"))).status_code == 200


def test_an_error_fault_with_a_probability_repeats_with_its_seed(api, kommune):
    from tests.conftest import Api

    def pattern(tenant: Api) -> list[int]:
        _fault(tenant, kind="error", operation="OpretDebitorkonto", count=None, probability=0.5, seed=7)
        return [tenant.opret(opret(fordring(f"F{i}"), account=f"K{i}")).status_code for i in range(12)]

    first = pattern(api)
    second = pattern(Api(kommune.base_url, "851", api.system + "-again"))
    assert first == second and 503 in first and 200 in first
    assert len(api.state()["debitor"]["claims"]) == first.count(200)


def test_latency_delays_the_answer_without_blocking_others(api):
    _fault(api, kind="latency", operation="OpretDebitorkonto", delay_ms=600)
    started = time.monotonic()
    assert api.opret(opret(fordring("F1"))).status_code == 200
    assert time.monotonic() - started >= 0.6
    started = time.monotonic()
    assert requests.get(f"{api.base_url}/admin/health", timeout=5).status_code == 200
    assert time.monotonic() - started < 0.5


def test_a_lost_answer_is_booked_and_recorded(api):
    _fault(api, kind="lose_answer", operation="OpretDebitorkonto", name="tabt-1")
    lost = api.opret(opret(fordring("F1")))
    assert lost.status_code == 504 and codes(lost.json()["errors"]) == {"OIR-SVAR-TABT"}
    assert len(api.state()["debitor"]["claims"]) == 1
    assert '"tabt-1"' in _journal(api)[-1]["response"]


def test_faults_are_listed_and_removed_and_checked(api):
    _fault(api, kind="error")
    assert [f["kind"] for f in requests.get(f"{api.admin_path}/faults", timeout=30).json()["faults"]] == [
        "error"
    ]
    requests.delete(f"{api.admin_path}/faults", timeout=30)
    assert requests.get(f"{api.admin_path}/faults", timeout=30).json()["faults"] == []
    assert _fault(api, kind="meteor").status_code == 400
    assert _fault(api, kind="service_window").status_code == 400
