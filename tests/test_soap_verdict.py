"""JSON and SOAP give the same verdict: the reference fagsystem and a broken variant, run both ways."""

from __future__ import annotations

import pytest
import requests
from testkommune.contracts.driver import KommuneConnection
from testkommune.harness.certify.events import ExpectationEvaluated
from testkommune.harness.certify.runner import Runner
from testkommune.harness.certify.suite import load_suite
from testkommune.scenarios.fagsystemer import VARIANTS

from tests.soap_fagsystem import ZeepAdapter


class _Observed:
    """Keeps the observations the checks judged (what the evidence bundle records)."""

    def __init__(self) -> None:
        self.journal: list[dict] = []

    def handle(self, event) -> None:
        if isinstance(event, ExpectationEvaluated):
            self.journal.extend(event.observation.journal)


def _verdicts(base_url: str, fagsystem, system: str, observed: _Observed | None = None):
    connection = KommuneConnection(base_url, "851", system)
    result = Runner(load_suite("basis"), fagsystem, connection, handlers=[observed] if observed else []).run()
    return [
        (s.scenario_id, s.outcome, sorted((f.code, f.field) for f in s.failures)) for s in result.scenarios
    ]


@pytest.mark.parametrize("variant", ["reference", "overdrager-foer-srb"])
def test_json_and_soap_give_the_same_verdict(kommune, variant):
    over_json = _verdicts(kommune.base_url, VARIANTS[variant](), f"json-{variant}")
    adapter = ZeepAdapter()
    session = requests.Session()
    session.mount("http://", adapter)
    observed = _Observed()
    over_soap = _verdicts(kommune.base_url, VARIANTS[variant](session=session), f"soap-{variant}", observed)
    assert over_soap == over_json
    assert adapter.calls > 0
    sent = [
        e for e in observed.journal if e["counterpart"] == "soap"
    ]  # the envelopes as the fagsystem sent them
    assert sent and all(e["request"].startswith("<?xml") and "Envelope" in e["request"] for e in sent)
    assert {outcome for _, outcome, _ in over_json} == (
        {"passed"} if variant == "reference" else {"passed", "failed"}
    )
