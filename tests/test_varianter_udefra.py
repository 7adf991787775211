"""The outside team's fagsystems (issue 13), played before it runs: each broken one fails every suite of its
proof for its own code, and each lawful one, written differently, passes every suite of its role."""

from __future__ import annotations

import pytest
from testkommune.contracts.catalogue import error_catalogue
from testkommune.contracts.driver import conformance_of
from testkommune.harness.certify.suite import builtin_suites, load_suite
from testkommune.scenarios.fagsystemer import VARIANTS
from testkommune.scenarios.fagsystemer.proofs import LIFE_PROOFS, PROOFS, UDEFRA_PROOFS
from testkommune.scenarios.fagsystemer.varianter_udefra import UDEFRA_BROKEN, UDEFRA_LAWFUL

from tests.test_verdicts import _failed, _run


def _suites_of(variant: str) -> list[str]:
    """The suites with a scenario in the variant's integration role (the direct role: livsforloeb only)."""
    role = conformance_of(VARIANTS[variant]()).role
    return [
        name
        for name in sorted(builtin_suites())
        if any(s.role in (None, role) for s in load_suite(name).scenarios)
        and (role == "oir" or name == "livsforloeb")
    ]


def test_the_outside_set_is_new_proven_and_large_enough():
    assert set(UDEFRA_PROOFS) == set(UDEFRA_BROKEN) and len(UDEFRA_BROKEN) >= 15 and len(UDEFRA_LAWFUL) >= 4
    assert not (set(UDEFRA_BROKEN) | set(UDEFRA_LAWFUL)) & (set(PROOFS) | set(LIFE_PROOFS))
    assert all(VARIANTS[name] is cls for name, cls in (UDEFRA_BROKEN | UDEFRA_LAWFUL).items())
    assert {conformance_of(cls()).role for cls in UDEFRA_LAWFUL.values()} == {"oir", "psrm-s2s"}


@pytest.mark.parametrize(("variant", "suite"), [(v, s) for v in sorted(UDEFRA_LAWFUL) for s in _suites_of(v)])
def test_a_lawful_outside_fagsystem_passes_every_suite_of_its_role(kommune, variant, suite):
    """e.g. SRB 21 days in the direct role: the scenarios wait for its own hand-over, not a calendar day."""
    result = _run(kommune, suite, variant)
    assert result.passed, _failed(result)


@pytest.mark.parametrize("variant", sorted(UDEFRA_PROOFS))
def test_a_broken_outside_fagsystem_fails_for_its_own_code(kommune, variant):
    proof = UDEFRA_PROOFS[variant]
    assert all(code in error_catalogue() for code in proof.codes)
    named: set[str] = set()
    for suite in proof.suites:
        failed = _failed(_run(kommune, suite, variant))
        failed = {k: v for k, v in failed.items() if v != ["CERT-IKKE-UNDERSTOETTET"]}
        assert failed, f"{variant} passed {suite}"
        assert all(set(proof.codes) & set(codes) for codes in failed.values()), (suite, failed)
        named |= {code for codes in failed.values() for code in codes}
    assert set(proof.codes) <= named, set(proof.codes) - named


def test_masse_asked_but_straks_sent_names_the_case_and_the_delivery_mode(kommune):
    scenario = _run(kommune, "finans", "masse-som-straks", only=["FIN-02"]).scenarios[0]
    assert [(f.check, f.code) for f in scenario.failures] == [("finans_as_masse", "CERT-FINANS-MASSE")] * 2
    assert "FIN-02-1" in scenario.failures[0].text_en and "ModtagFinansbilag" in scenario.failures[0].text_en
