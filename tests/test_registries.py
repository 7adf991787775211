"""One registry design: declared codes, every one of them in the error catalogue, no name taken twice, and no
code raised by PSRM or the rules that no registry declares."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from testkommune.contracts.catalogue import error_catalogue
from testkommune.contracts.registry import DuplicateEntryError, Registry
from testkommune.simulators.counterparts import BATCH_JOBS, registries
from testkommune.simulators.psrm.actions import action_specs
from testkommune.simulators.psrm.handlers import HANDLERS
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


def test_a_rule_set_refuses_a_finding_whose_code_its_rule_does_not_declare():
    from testkommune.contracts.findings import Finding

    rules: RuleSet[str, None] = RuleSet("probe")

    @rules.rule("PSRM-5")
    def declared(subject: str, ctx: None):
        yield Finding("PSRM-5" if subject == "lawful" else "PSRM-486", "$", {})

    assert [f.code for f in rules.run("lawful", None)] == ["PSRM-5"]
    with pytest.raises(AssertionError, match="declared raised PSRM-486, which it does not declare"):
        rules.run("broken", None)
