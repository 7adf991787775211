"""Fault injection: named, seedable, on the simulated clock, recorded in the journal."""

from __future__ import annotations

import json
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


def _three_updates(api) -> None:
    from tests.debitor_messages import b01

    api.opret(opret(fordring("F1")))
    for op, amount in (("OpskrivFordring", 100.0), ("NedskrivFordring", 50.0), ("OpskrivFordring", 25.0)):
        assert b01(api, op, {"FordringReference": "F1", "Beløb": amount, "Årsag": "test"}).status_code == 200


def test_a_duplicated_mailbox_answer_repeats_read_messages_and_changes_nothing(api):
    from tests.debitor_messages import mailbox

    _three_updates(api)
    first = mailbox(api, 0, Antal=2)
    truth = mailbox(api, first["Cursor"])
    ids = [m["BeskedID"] for m in first["Besked"] + truth["Besked"]]
    _fault(api, kind="duplicate_answer", operation="HentDaekningAfskrivning", name="dobbelt-1")
    doubled = mailbox(api, first["Cursor"])
    assert [m["BeskedID"] for m in doubled["Besked"]] == [ids[1], ids[2], ids[2]]
    assert (doubled["Cursor"], doubled["FlereBeskeder"]) == (truth["Cursor"], truth["FlereBeskeder"])
    assert '"dobbelt-1"' in _journal(api)[-1]["response"]
    assert mailbox(api, first["Cursor"]) == truth  # count 1: the next read is plain, nothing stored changed
    assert [m["BeskedID"] for m in mailbox(api, 0)["Besked"]] == ids


def test_a_reordered_mailbox_answer_comes_in_reverse_and_both_faults_compose(api):
    from tests.debitor_messages import mailbox

    _three_updates(api)
    truth = mailbox(api, 0)
    ids = [m["BeskedID"] for m in truth["Besked"]]
    _fault(api, kind="reorder", operation="HentDaekningAfskrivning", name="omvendt-1")
    reordered = mailbox(api, 0)
    assert [m["BeskedID"] for m in reordered["Besked"]] == ids[::-1]
    assert reordered["Cursor"] == truth["Cursor"] == truth["Besked"][-1]["Sekvensnummer"]
    assert '"omvendt-1"' in _journal(api)[-1]["response"]
    _fault(api, kind="duplicate_answer", operation="HentDaekningAfskrivning", name="d")
    _fault(api, kind="reorder", operation="HentDaekningAfskrivning", name="r")
    both = mailbox(api, truth["Besked"][0]["Sekvensnummer"])
    assert [m["BeskedID"] for m in both["Besked"]] == [ids[2], ids[1], ids[2], ids[1], ids[0]]
    logged = json.loads(_journal(api)[-1]["response"])["_faults"]
    assert [f["name"] for f in logged] == ["d", "r"]
    assert mailbox(api, 0) == truth


def test_list_faults_leave_answers_without_a_message_list_alone(api):
    _fault(api, kind="reorder", operation="*", name="kun-lister")
    assert api.opret(opret(fordring("F1"))).status_code == 200
    listed = requests.get(f"{api.admin_path}/faults", timeout=30).json()["faults"]
    assert [(f["name"], f["fired"]) for f in listed] == [("kun-lister", 0)]


def test_rob06_the_reference_passes_although_its_mailbox_answers_came_doubled_and_reversed(kommune):
    import uuid

    from testkommune.contracts.driver import KommuneConnection
    from testkommune.harness.certify.runner import Runner
    from testkommune.harness.certify.suite import load_suite
    from testkommune.scenarios.fagsystemer import VARIANTS

    system = f"rob06-{uuid.uuid4().hex[:8]}"
    result = Runner(
        load_suite("robusthed"), VARIANTS["reference"](), KommuneConnection(kommune.base_url, "851", system)
    ).run(only=["ROB-06"])
    assert result.passed, [(f.check, f.code) for s in result.scenarios for f in s.failures]
    journal = f"{kommune.base_url}/admin/tenants/851/{system}/journal"
    entries = requests.get(journal, timeout=30).json()["entries"]
    reads = [json.loads(e["response"]) for e in entries if e["operation"] == "HentDaekningAfskrivning"]
    both = ["duplicate_answer", "reorder"]
    shaped = [r for r in reads if [f["kind"] for f in r.get("_faults", [])] == both]
    assert shaped and len(shaped) == len(reads)
    delivered = [m["BeskedID"] for r in shaped for m in r["Besked"]]
    assert "DAEKNING" in {m["Type"] for r in shaped for m in r["Besked"]}
    assert len(delivered) > len(set(delivered))  # the same messages really came more than once
