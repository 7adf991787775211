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


def _verdicts(
    base_url: str, fagsystem, system: str, observed: _Observed | None = None, suite: str = "basis", only=None
):
    connection = KommuneConnection(base_url, "851", system)
    handlers = [observed] if observed else []
    result = Runner(load_suite(suite), fagsystem, connection, handlers=handlers).run(only=only)
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


@pytest.mark.parametrize(
    ("variant", "only"),
    [("reference-s2s", None), ("s2s-regu-med-virkningsdato", ["LIV-16"])],
)
def test_the_direct_role_gives_the_same_verdict_over_a_client_generated_from_psrms_wsdl(
    kommune, variant, only
):
    """A fagsystem in the direct role (psrm-s2s) whose PSRM calls a zeep client built from `GET /psrm?wsdl`
    carries: the same verdict as over JSON, the reference passing every scenario of its role."""
    over_json = _verdicts(
        kommune.base_url, VARIANTS[variant](), f"json-{variant}", suite="livsforloeb", only=only
    )
    adapter = ZeepAdapter()
    session = requests.Session()
    session.mount("http://", adapter)
    observed = _Observed()
    fagsystem = VARIANTS[variant](session=session)
    over_soap = _verdicts(kommune.base_url, fagsystem, f"soap-{variant}", observed, "livsforloeb", only)
    assert over_soap == over_json
    assert f"{kommune.base_url}/psrm" in adapter.clients  # the client came from PSRM's own WSDL
    sent = [e for e in observed.journal if e["operation"] == "SOAP MFFordringIndberet"]
    assert sent and all("MFFordringIndberet_I" in e["request"] for e in sent)
    outcomes = {outcome for _, outcome, _ in over_json}
    if variant == "reference-s2s":
        assert "passed" in outcomes and outcomes <= {"passed", "not_supported"}
    else:
        assert {s: o for s, o, _ in over_json}["LIV-16"] == "failed"
