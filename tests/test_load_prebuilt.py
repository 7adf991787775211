"""The load generator's prebuilt messages are byte for byte what the reference fagsystem and the message
builders send, and its report gives the requests per second per generator core.

No Locust here (its gevent monkey patching would patch this pytest process); nothing is sent.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

import pytest
from testkommune.contracts.driver import KommuneConnection
from testkommune.harness.load import messages, prebuilt
from testkommune.harness.load.cpu import CpuSamples
from testkommune.harness.testdata.factories import seed_all
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling

TODAY = date(2026, 9, 30)
CONNECTION = KommuneConnection("http://127.0.0.1:9", "851", "load-test", "token")
CASE_ID, TRANSACTION_ID = "ab12cd34-000042", "6f1c1e8e-2b7a-4c55-9d7e-0f6a3e1b2c3d"


class _Recorder:
    """A session that records what the reference fagsystem posts and answers GODKENDT."""

    status_code = 200

    def __init__(self) -> None:
        self.sent: list[tuple[str, Any, dict[str, str]]] = []

    def post(self, url: str, json: Any, headers: dict[str, str], timeout: float) -> _Recorder:
        self.sent.append((url, json, headers))
        return self

    def json(self) -> dict[str, Any]:
        return {"Forretningskvittering": {"Status": "GODKENDT"}}


def _as_sent(message: dict[str, Any]) -> bytes:
    """What `requests` puts on the wire for `json=message`, with this test's TransaktionsID."""
    header = message["Hovedoplysninger"] | {"TransaktionsID": TRANSACTION_ID}
    return json.dumps(message | {"Hovedoplysninger": header}, allow_nan=False).encode()


def _templates() -> tuple[Any, dict[str, prebuilt.Template]]:
    seed_all(7)
    case = prebuilt.template_case(TODAY)
    seed_all(8)  # the payees of a betalingsanmodning are drawn when it is built
    return case, prebuilt.templates(case, TODAY, CONNECTION, "12345678")


def test_an_opretdebitorkonto_is_what_the_reference_fagsystem_posts_for_that_case():
    template_case, built = _templates()
    template = built["opretdebitorkonto"]
    recorder = _Recorder()
    reference = Foraeldrebetaling(session=recorder)  # type: ignore[arg-type]
    reference.connect(CONNECTION)
    reference.bill(dataclasses.replace(template_case, case_id=CASE_ID), TODAY)
    ((url, message, _),) = recorder.sent
    assert CONNECTION.base_url + template.path == url
    assert template.render(CASE_ID, TRANSACTION_ID) == _as_sent(message)
    assert template.key_of(CASE_ID) == reference.claims[0].reference == f"FB-{CASE_ID}-202610"


@pytest.mark.parametrize(
    ("kind", "build", "key"),
    [
        ("finansbilag", lambda case: messages.finansbilag(case, TODAY, "851"), f"LB-{CASE_ID}"),
        (
            "betalingsanmodning",
            lambda case: messages.betalingsanmodning(case, TODAY, "12345678"),
            f"LG-{CASE_ID}",
        ),
    ],
)
def test_finansbilag_and_betalingsanmodninger_are_what_the_message_builders_make(kind, build, key):
    template_case, built = _templates()
    seed_all(8)
    message = build(dataclasses.replace(template_case, case_id=CASE_ID))
    assert built[kind].render(CASE_ID, TRANSACTION_ID) == _as_sent(message)
    assert built[kind].key_of(CASE_ID) == key


def test_every_message_gets_its_own_transaction_id_and_keys():
    _, built = _templates()
    for template in built.values():
        (first, key1), (second, key2) = template.next("t-000001"), template.next("t-000002")
        ids = [json.loads(body)["Hovedoplysninger"]["TransaktionsID"] for body in (first, second)]
        assert ids[0] != ids[1] and key1 != key2 and "t-000002" in key2
        assert prebuilt.CASE_MARK.encode() not in first and prebuilt.TRANSACTION_MARK.encode() not in first


def test_the_cpu_summary_gives_requests_per_second_per_generator_core():
    workers = {"w1": {"mean_pct": 20.0, "max_pct": 30.0, "samples": 9},
               "w2": {"mean_pct": 30.0, "max_pct": 35.0, "samples": 9}}  # fmt: skip
    summary = CpuSamples().summary(workers, requests=15_000, elapsed_s=10.0)
    assert summary["generator_cores"] == 0.5 and summary["rps_per_generator_core"] == 3000
    assert CpuSamples().summary(workers)["rps_per_generator_core"] == 0  # no requests: nothing to divide


class _Event:
    """Stands in for Locust's request event: keeps what each request reported."""

    def __init__(self) -> None:
        self.fired: list[dict[str, Any]] = []

    def fire(self, **request: Any) -> None:
        self.fired.append(request)


def test_the_sender_reports_each_request_once_with_why_it_failed(kommune):
    from testkommune.harness.load.wire import Sender

    _, built = _templates()
    template = built["finansbilag"]
    headers = {"X-TK-Kommune": "851", "X-TK-Anvendersystem": "load-wire", "Content-Type": "application/json"}
    event = _Event()
    sender = Sender(kommune.base_url, headers, event, 10.0)
    answered = sender.post(template.path, template.next("w-000001")[0])
    refused = sender.post(template.path, b"{}")
    assert answered.status == 200 and json.loads(answered.body)["Forretningskvittering"]["Status"]
    assert refused.status == 400 and refused.body
    answered.report()
    refused.report()
    answered.report("AFVIST X-1")
    nowhere = Sender("http://127.0.0.1:9", headers, event, 2.0).post(template.path, b"{}")
    nowhere.report()
    assert nowhere.status == 0 and nowhere.body == b""
    reported = [(r["name"], str(r["exception"]) if r["exception"] else None) for r in event.fired]
    assert reported[:3] == [(template.path, None), (template.path, "HTTP 400"), (template.path, "AFVIST X-1")]
    assert reported[3][1] and all(r["response_time"] > 0 and r["request_type"] == "POST" for r in event.fired)
    sender.close()
