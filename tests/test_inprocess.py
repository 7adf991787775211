"""The in-process mode (responses) gives the same verdicts as a served test kommune over HTTP."""

from __future__ import annotations

import pytest
import requests
from testkommune.contracts.driver import KommuneConnection
from testkommune.harness.certify.runner import Runner
from testkommune.harness.certify.suite import load_suite
from testkommune.harness.inprocess import InProcessKommune
from testkommune.scenarios.fagsystemer import VARIANTS

from tests.messages import OIR_B01, fordring, opret
from tests.test_suites import CAUGHT

# Every variant against each suite that catches it, and the reference against every suite.
PAIRS = sorted({(suite, "reference") for suite in CAUGHT} | {(s, v) for s in CAUGHT for v in CAUGHT[s]})


def _verdicts(base_url: str, variant: str, suite: str = "basis") -> list[tuple[str, str, list[str]]]:
    result = Runner(
        load_suite(suite), VARIANTS[variant](), KommuneConnection(base_url, "851", f"same-{suite}")
    ).run()
    return [(s.scenario_id, s.outcome, [(f.code, f.field) for f in s.failures]) for s in result.scenarios]


def test_every_variant_is_judged_by_some_suite():
    """Here, or in the self-test of test_verdicts, test_livsforloeb and test_varianter_udefra."""
    from testkommune.scenarios.fagsystemer.proofs import PROOFS, UDEFRA_PROOFS
    from testkommune.scenarios.fagsystemer.varianter_selvtest import LAWFUL
    from testkommune.scenarios.fagsystemer.varianter_udefra import UDEFRA_LAWFUL

    from tests.test_livsforloeb import CAUGHT as CAUGHT_IN_LIVSFORLOEB
    from tests.test_livsforloeb import ROLE_OF

    judged = {v for _, v in PAIRS} | set(PROOFS) | set(LAWFUL) | set(CAUGHT_IN_LIVSFORLOEB) | set(ROLE_OF)
    judged |= set(UDEFRA_PROOFS) | set(UDEFRA_LAWFUL)
    assert judged == set(VARIANTS)


@pytest.mark.parametrize(("suite", "variant"), PAIRS)
def test_same_verdicts_in_process_and_over_http(kommune, suite, variant):
    over_http = _verdicts(kommune.base_url, variant, suite)
    with InProcessKommune() as inprocess:
        in_process = _verdicts(inprocess.base_url, variant, suite)
    assert in_process == over_http
    judged = [outcome for _, outcome, _ in over_http if outcome != "not_supported"]  # outside its scope
    assert any(outcome != "passed" for outcome in judged) == (variant != "reference")


def test_requests_reach_the_simulators_without_a_socket():
    with InProcessKommune() as inprocess:
        answer = requests.post(
            f"{inprocess.base_url}{OIR_B01}/OpretDebitorkonto",
            json=opret(fordring()),
            headers={"X-TK-Kommune": "851", "X-TK-Anvendersystem": "unit"},
            timeout=5,
        )
        assert answer.json()["Forretningskvittering"]["Status"] == "GODKENDT"
        bad = requests.post(
            f"{inprocess.base_url}{OIR_B01}/OpretDebitorkonto",
            data=b"{",
            headers={
                "X-TK-Kommune": "851",
                "X-TK-Anvendersystem": "unit",
                "Content-Type": "application/json",
            },
            timeout=5,
        )
        assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "HTTP-UGYLDIG-JSON"
    with pytest.raises(requests.ConnectionError):  # outside the context nothing answers at that address
        requests.get(f"{InProcessKommune().base_url}/admin/health", timeout=2)
