"""One registry design: declared codes, every one of them in the error catalogue, no name taken twice, and no
code raised by PSRM, the rules or a certification check that no registry declares."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from testkommune.contracts.catalogue import error_catalogue
from testkommune.contracts.findings import Finding
from testkommune.contracts.registry import DuplicateEntryError, Registry
from testkommune.harness.certify.checks import CHECK_ERROR, check
from testkommune.harness.certify.registry import CHECKS
from testkommune.harness.certify.results import RunResult
from testkommune.simulators.counterparts import BATCH_JOBS, registries
from testkommune.simulators.psrm.actions import action_specs
from testkommune.simulators.psrm.handlers import HANDLERS
from testkommune.simulators.psrm.rules import RECEIPT_CHECKS, ReceiptCheck
from testkommune.simulators.rules.registry import Rule, RuleSet

SIMULATORS = Path(__file__).resolve().parent.parent / "simulators"
RAISED_INLINE = re.compile(r'"(PSRM-[A-Z0-9-]+)"')


def test_every_code_any_registry_declares_is_in_the_catalogue():
    catalogue = error_catalogue()
    missing = {registry.name: registry.check_against(catalogue) for registry in registries()}
    assert all(not codes for codes in missing.values()), missing


def test_the_catalogue_check_names_a_code_the_catalogue_lacks():
    rules: RuleSet[object, object] = RuleSet("broken")
    rules.add(Rule("made_up", ("PSRM-NOT-A-CODE", "PSRM-2"), lambda subject, ctx: [], ""))
    assert rules.check_against(error_catalogue()) == ["PSRM-NOT-A-CODE"]


@pytest.mark.parametrize(
    "files",
    [
        ["psrm/actions.py", "psrm/service.py", "psrm/routes.py", "psrm/admin.py"],
        ["rules/fordring.py"],
    ],
)
def test_every_psrm_code_raised_inline_is_declared_by_a_registry(files):
    declared = {code for registry in registries() for code in registry.codes()}
    raised = {code for name in files for code in RAISED_INLINE.findall((SIMULATORS / name).read_text())}
    assert raised, files
    assert raised <= declared, sorted(raised - declared)


def test_every_action_code_has_exactly_one_handler():
    assert sorted(HANDLERS.names()) == sorted(action_specs())


def test_a_name_is_registered_once():
    rules: RuleSet[object, object] = RuleSet("once")

    def check(subject: object, ctx: object) -> list:
        return []

    rules.rule("PSRM-2")(check)
    with pytest.raises(DuplicateEntryError):
        rules.rule("PSRM-156")(check)
    assert [rule.codes for rule in rules] == [("PSRM-2",)]
    with pytest.raises(DuplicateEntryError):
        Registry("jobs", [*BATCH_JOBS, BATCH_JOBS["psrm"]])


def test_batch_jobs_run_psrm_before_the_debitor_system_takes_its_word_home():
    assert BATCH_JOBS.names() == (
        "psrm",
        "payments",
        "klassifikation",
        "erp",
        "debitor",
        "opkraevning",
        "nemkonto",
    )


def test_psrm_receipt_checks_run_in_the_order_their_refusals_are_listed():
    assert RECEIPT_CHECKS.names() == (
        "aktion_id",
        "fordringshaver",
        "system_se",
        "s2s",
        "aftale",
        "struktur",
        "afventende_aktion",
    )
    assert {"PSRM-600", "PSRM-2", "PSRM-400", "PSRM-156", "PSRM-418"} <= RECEIPT_CHECKS.codes()


def test_a_receipt_check_that_raises_a_code_it_does_not_declare_is_stopped():
    def wrong(receipt: object) -> list[Finding]:
        return [Finding("PSRM-2", "$", {})]

    with pytest.raises(AssertionError, match="does not declare"):
        ReceiptCheck("wrong", wrong, ("PSRM-156",))(None)  # type: ignore[arg-type]  # never read


# -- certification checks (harness/certify/registry.py) ------------------------------------------------------

RUNNER = "fagsystem"  # the runner's own failures: the fagsystem raised, or does not support a step
RUNNER_CODES = frozenset({"CERT-FAGSYSTEM-FEJL", "CERT-IKKE-UNDERSTOETTET"})


def undeclared(result: RunResult) -> list[tuple[str, str, str]]:
    """(scenario, check, code) of every failure in `result` its check does not declare (should be none); a
    check that raised is an ERROR any check may end in. tests/test_verdicts.py and tests/test_livsforloeb.py
    run the self-test through this."""
    return [
        (scenario.scenario_id, failure.check, failure.code)
        for scenario in result.scenarios
        for failure in scenario.failures
        if not (
            failure.code == CHECK_ERROR
            or (failure.check == RUNNER and failure.code in RUNNER_CODES)
            or (failure.check in CHECKS and failure.code in CHECKS[failure.check].codes)
        )
    ]


def test_every_code_a_certification_check_declares_is_in_the_catalogue():
    catalogue = error_catalogue()
    assert CHECKS.check_against(catalogue) == []
    assert {CHECK_ERROR, *RUNNER_CODES} <= {entry.code for entry in catalogue}
    areas = {entry.area for entry in catalogue}
    assert all(set(c.relays) <= areas for c in CHECKS), {c.name: c.relays for c in CHECKS}
    assert all(c.codes for c in CHECKS), [c.name for c in CHECKS if not c.codes]


def test_certification_checks_keep_their_names_and_each_is_listed_once():
    assert len(CHECKS) == 37 and CHECKS["psrm_status"].name == "psrm_status"
    assert {"oir_accepted", "claims_accounted", "invariants_hold", "paid_to_payee"} <= set(CHECKS.names())
    with pytest.raises(DuplicateEntryError):
        Registry("checks", [*CHECKS, CHECKS["booked_once"]])


def test_a_check_declares_its_own_codes_and_the_areas_it_relays():
    @check("CERT-TABT")
    def made_up(obs, _):
        return []

    assert made_up.codes == ("CERT-TABT",) and made_up.doc == ""
    relaying = check(relays=("psrm",))(made_up.func)
    assert "PSRM-569" in relaying.codes and "OIR-DEBITORKONTOTYPE" not in relaying.codes
    with pytest.raises(TypeError, match="declares the codes"):
        check(made_up.func)  # type: ignore[arg-type]  # the bare @check of before, refused


def test_a_failure_its_check_does_not_declare_is_named():
    def failure(check_name: str, code: str) -> SimpleNamespace:
        return SimpleNamespace(check=check_name, code=code)

    scenario = SimpleNamespace(
        scenario_id="S-1",
        failures=[
            failure("booked_once", "CERT-BOOKET-ANTAL"),
            failure("psrm_no_rejections", "PSRM-569"),
            failure("invariants_hold", "INV-OPKRAEVNING-INDDRIVELSE"),
            failure("psrm_status", CHECK_ERROR),
            failure(RUNNER, "CERT-FAGSYSTEM-FEJL"),
            failure("booked_once", "CERT-TABT"),
            failure("psrm_no_rejections", "OIR-DEBITORKONTOTYPE"),
            failure("not_a_check", "CERT-TABT"),
        ],
    )
    assert undeclared(SimpleNamespace(scenarios=[scenario])) == [  # type: ignore[arg-type]  # duck-typed
        ("S-1", "booked_once", "CERT-TABT"),
        ("S-1", "psrm_no_rejections", "OIR-DEBITORKONTOTYPE"),
        ("S-1", "not_a_check", "CERT-TABT"),
    ]


def test_a_rule_set_refuses_a_finding_whose_code_its_rule_does_not_declare():
    from testkommune.contracts.findings import Finding

    rules: RuleSet[str, None] = RuleSet("probe")

    @rules.rule("PSRM-5")
    def declared(subject: str, ctx: None):
        yield Finding("PSRM-5" if subject == "lawful" else "PSRM-486", "$", {})

    assert [f.code for f in rules.run("lawful", None)] == ["PSRM-5"]
    with pytest.raises(AssertionError, match="declared raised PSRM-486, which it does not declare"):
        rules.run("broken", None)
