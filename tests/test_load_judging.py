"""GO needs a run large enough to judge: the minimums are data in the load profiles."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest
from testkommune.contracts.schemas import contract_set
from testkommune.harness.load.certification import CertificationMatch
from testkommune.harness.load.document import Judged, report_document, too_small
from testkommune.harness.load.profiles import ProfileError, _profile, load_profiles
from testkommune.harness.load.report import render_html

MONTH_END = load_profiles()["maanedskoersel"]
PASSED = CertificationMatch(True, True, "basis PASSED for foraeldrebetaling 1.0.0")
CPU = {"saturated": [], "threshold_pct_of_one_core": 90, "headroom_pct_of_one_core": 60.0, "cores": 2,
       "machine": {"mean_pct": 40.0, "max_pct": 50.0}, "generators": {}}  # fmt: skip
TIMELINE = [
    {"t_s": float(t), "users": 10.0, "rps": 40.0, "fail_per_s": 0.0, "p95_ms": 30.0} for t in range(1, 21)
]


def test_every_profile_says_the_smallest_run_it_can_judge():
    for profile in load_profiles().values():
        assert profile.min_users >= 1 and profile.min_requests >= 1 and profile.min_run_time_s >= 0
    body = {"title": {"da": "a", "en": "b"}, "weights": {"finansbilag": 1}, "users": 1, "spawn_rate": 1,
            "run_time": "2s", "wait_s": [0, 0], "clock": "2026-09-30"}  # fmt: skip
    with pytest.raises(ProfileError, match="judge needs min_run_time, min_users and min_requests"):
        _profile("x", body)


@pytest.mark.parametrize(
    ("elapsed", "requests", "users", "reasons"),
    [
        (20.0, 800, 10, []),
        (4.0, 800, 10, ["ran 4.0 s; the profile needs at least 15 s"]),
        (20.0, 800, 2, ["reached 2 users; the profile needs at least 5"]),
        (20.0, 120, 10, ["sent 120 requests; the profile needs at least 300"]),
    ],
)
def test_a_run_below_any_minimum_is_too_small(elapsed, requests, users, reasons):
    assert too_small(MONTH_END, elapsed, requests, users) == [f"TOO SMALL TO JUDGE: {r}" for r in reasons]


def _doc(elapsed: float, users: int, certification: CertificationMatch = PASSED) -> dict:
    run = SimpleNamespace(
        elapsed_s=elapsed, workers=0, timeline=TIMELINE, cpu=CPU,
        env=SimpleNamespace(stats=SimpleNamespace(entries={}, errors={})),
    )  # fmt: skip
    options = SimpleNamespace(
        target="simulators", fagsystem_spec=None, seed=1, master=False, slo_file="slo.yaml"
    )
    kpis = {"requests": 800.0}
    judged = Judged([], certification, too_small(MONTH_END, elapsed, kpis["requests"], users))
    fagsystem = SimpleNamespace(name="foraeldrebetaling", version="1.0.0")
    tenant = {
        "base_url": "http://127.0.0.1:1",
        "kommune": "851",
        "system": "s",
        "simulated_date": "2026-09-30",
    }
    return report_document(options, MONTH_END, tenant, fagsystem, run, kpis, judged, {}, [])


def test_go_needs_a_valid_run_large_enough_to_judge_and_a_passed_certification():
    assert (_doc(20.0, 10)["decision"], _doc(20.0, 10)["run_status"]) == ("GO", "VALID")
    small = _doc(4.0, 2)
    assert (small["decision"], small["run_status"]) == ("NO-GO", "TOO_SMALL")
    assert small["reasons"][:2] == [
        "TOO SMALL TO JUDGE: ran 4.0 s; the profile needs at least 15 s",
        "TOO SMALL TO JUDGE: reached 2 users; the profile needs at least 5",
    ]
    unproven = _doc(20.0, 10, CertificationMatch(False, False, "no certification found (none given)"))
    assert unproven["decision"] == "NO-GO" and unproven["run_status"] == "VALID"


def test_the_load_page_charts_the_timeline_in_the_certification_reports_style():
    html = render_html(_doc(20.0, 10) | {"kpis": _kpis(), "slo": [], "reconciliation": _reconciliation()})
    assert html.count("<svg") == 3 and "<script" not in html and "http://" not in html.split("<main")[0]
    assert 'nav class="top"' in html and "--pass-bg" in html  # the certification report's sheet
    assert "Requests per second / Kald pr. sekund" in html


def _kpis() -> dict:
    keys = ["requests", "failures", "business_refusals", "throughput_rps", "p50_ms", "p95_ms", "p99_ms",
            "error_rate_pct", "lost_messages", "double_booked_messages"]  # fmt: skip
    return dict.fromkeys(keys, 0.0) | {"requests": 800.0}


def _reconciliation() -> dict:
    return {
        "acknowledged": 800,
        "lost": 0,
        "double_booked": 0,
        "lost_examples": [],
        "double_booked_examples": [],
    }


def test_the_month_end_profile_keeps_its_contract_fields():
    raw = dataclasses.asdict(MONTH_END)
    assert {"min_run_time_s", "min_users", "min_requests"} <= set(raw)
    assert contract_set().get("harness/lastrapport").schema["properties"]["run_status"]["enum"] == [
        "VALID", "INVALID", "TOO_SMALL"
    ]  # fmt: skip


def test_every_page_of_a_paged_view_is_read_in_order() -> None:
    """`every_page` (the certification's and the load ledger's reading of `erp/posteringer`) follows `Næste`
    from page to page and stops at the page without one."""
    from testkommune.harness.certify.client import every_page

    pages = {0: {"P": [1, 2], "Næste": 2}, 2: {"P": [3, 4], "Næste": 4}, 4: {"P": [5], "Næste": None}}
    asked: list[int] = []

    def fetch(after: int) -> dict:
        asked.append(after)
        return pages[after]

    assert every_page(fetch, "P") == [1, 2, 3, 4, 5]
    assert asked == [0, 2, 4]
