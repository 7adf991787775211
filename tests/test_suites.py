"""Every built-in suite passes the reference fagsystem and catches a broken variant for its own reason."""

from __future__ import annotations

import pytest

from harness.certify.checks import service_types
from harness.certify.driver import KommuneConnection
from harness.certify.runner import Runner
from harness.certify.suite import builtin_suites, load_suite
from harness.core.fordringstyper import fordringstyper
from harness.inprocess import InProcessKommune
from scenarios.fagsystemer import VARIANTS
from scenarios.fagsystemer.foraeldrebetaling import FORDRINGSTYPE

CAUGHT_BY = {  # suite → (variant, the code every failing scenario must name)
    "basis": ("overdrager-foer-srb", "PSRM-SRB"),
    "forretningsomraader": ("generisk-fordringstype", "CERT-FORKERT-FORDRINGSTYPE"),
}


@pytest.fixture(scope="module")
def kommune():
    with InProcessKommune() as running:
        yield running


def _run(kommune, suite: str, variant: str):
    return Runner(
        load_suite(suite), VARIANTS[variant](), KommuneConnection(kommune.base_url, "851", variant)
    ).run()


def test_every_builtin_suite_has_a_broken_variant_it_catches():
    assert set(builtin_suites()) == set(CAUGHT_BY)


@pytest.mark.parametrize("suite", sorted(CAUGHT_BY))
def test_the_reference_passes_and_the_variant_fails_for_its_own_reason(kommune, suite):
    assert _run(kommune, suite, "reference").passed
    variant, code = CAUGHT_BY[suite]
    result = _run(kommune, suite, variant)
    failed = [s for s in result.scenarios if s.outcome != "passed"]
    assert failed
    assert all(s.failures[0].code == code for s in failed), [
        (s.scenario_id, s.failures[0].code) for s in failed
    ]


def test_each_service_maps_to_an_active_municipal_fordringstype_and_the_reference_knows_it():
    for service, codes in service_types().items():
        for code in codes:
            known = fordringstyper().get(code)
            assert known is not None and known.kommunal and known.aktiv, (service, code)
        assert FORDRINGSTYPE[service] in codes
