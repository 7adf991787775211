"""The HTTP trigger protocol is a contract (contracts/harness/trigger/): the driver checks the answers."""

from __future__ import annotations

import pytest
import responses
from testkommune.contracts.schemas import contract_set
from testkommune.harness.certify.drivers import DriverError, HttpTriggerDriver

URL = "http://trigger.invalid"


@pytest.mark.parametrize(
    ("info", "problem"),
    [
        ({"name": "acme"}, "$.version: SCHEMA-REQUIRED"),
        ({"name": "", "version": "1"}, "$.name: SCHEMA-LENGTH"),
        (["acme", "1"], "$: SCHEMA-TYPE"),
    ],
)
def test_a_trigger_that_answers_outside_the_protocol_is_told_which_field(info, problem):
    with responses.RequestsMock() as mock:
        mock.get(URL + "/", json=info)
        with pytest.raises(DriverError, match="broke the trigger protocol") as caught:
            HttpTriggerDriver(URL)
    assert problem in str(caught.value)


def test_an_action_answer_is_checked_too_and_an_empty_body_means_done():
    from datetime import date

    with responses.RequestsMock() as mock:
        mock.get(URL + "/", json={"name": "acme", "version": "1.0"})
        mock.post(URL + "/daily", body=b"")
        mock.post(URL + "/daily", json={"done": False})
        driver = HttpTriggerDriver(URL)
        driver.run_daily(date(2026, 10, 1))
        with pytest.raises(DriverError, match=r"\$\.done: SCHEMA-ENUM"):
            driver.run_daily(date(2026, 10, 1))


def test_every_request_the_harness_sends_has_its_schema():
    names = {
        n.removeprefix("harness/trigger/") for n in contract_set().names() if n.startswith("harness/trigger/")
    }
    assert {
        "info",
        "answer",
        "connect",
        "bill",
        "daily",
        "finans",
        "correct",
        "pay_out",
        "event",
        "case",
    } <= names


def test_every_case_a_suite_bills_and_the_connection_keep_the_contract():
    from dataclasses import asdict

    from testkommune.contracts.codec import case_to_json
    from testkommune.contracts.driver import KommuneConnection
    from testkommune.harness.certify.cases import make_cases
    from testkommune.harness.certify.suite import builtin_suites, load_suite

    bill = contract_set().get("harness/trigger/bill")
    cases = [c for name in builtin_suites() for s in load_suite(name).scenarios for c in make_cases(s, 1)]
    assert len(cases) > 10
    assert [bill.check({"case": case_to_json(c), "today": "2026-10-01"}) for c in cases] == [[]] * len(cases)
    connection = asdict(KommuneConnection("http://127.0.0.1:8585", "851", "mit-fagsystem", None))
    assert contract_set().get("harness/trigger/connect").check(connection) == []


def test_the_event_contract_names_every_business_event_with_its_fields():
    import typing
    from dataclasses import fields

    from testkommune.contracts.events import BUSINESS_EVENTS
    from testkommune.contracts.model import CoDebtorRelation

    schema = contract_set().get("harness/trigger/event").schema
    assert set(schema["$defs"]) == set(BUSINESS_EVENTS)
    for name, cls in BUSINESS_EVENTS.items():
        assert set(schema["$defs"][name]["properties"]) == {"event", *(f.name for f in fields(cls))}
    case = contract_set().get("harness/trigger/case").schema
    assert case["$defs"]["CoDebtor"]["properties"]["relation"]["enum"] == list(
        typing.get_args(CoDebtorRelation)
    )


def test_every_event_a_suite_tells_keeps_the_contract():
    from datetime import date

    from testkommune.contracts.codec import case_to_json
    from testkommune.contracts.events import event_to_json
    from testkommune.harness.certify.business import build_event
    from testkommune.harness.certify.cases import make_cases
    from testkommune.harness.certify.suite import builtin_suites, load_suite

    contract = contract_set().get("harness/trigger/event")
    told = []
    for name in builtin_suites():
        for scenario in load_suite(name).scenarios:
            cases = make_cases(scenario, 1)
            for kind, value in scenario.steps:
                if kind == "event":
                    case = cases[int(value["case"]) - 1]
                    event = event_to_json(build_event(value, case, date(2026, 11, 1)))
                    body = {"case": case_to_json(case), "today": "2026-11-01", "event": event}
                    told.append((value["name"], contract.check(body)))
    assert told and all(problems == [] for _, problems in told), told
