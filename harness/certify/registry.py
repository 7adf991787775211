"""The certification checks a suite's `expect` step can name, in one explicit list, and how a step applies
them.

A check is written with `@check(...)` in the module of its area (`checks*.py`); the decorator only marks it.
It runs once it is listed here: the registry (`testkommune.contracts.registry.Registry`) refuses a name taken
twice, and every code a check declares is proven to be in the error catalogue (tests/test_registries.py).
"""

from __future__ import annotations

from typing import Any

from testkommune.contracts.registry import Registry
from testkommune.harness.certify import (
    checks,
    checks_debitor,
    checks_finans,
    checks_helhed,
    checks_livsforloeb,
    checks_reindgi,
    checks_robusthed,
    checks_udefra,
)
from testkommune.harness.certify.checks import CHECK_ERROR, Check, check_error
from testkommune.harness.certify.observation import Observation
from testkommune.harness.certify.results import Failure

__all__ = ["CHECKS", "CHECK_ERROR", "evaluate"]

CHECKS: Registry[Check] = Registry(
    "certification checks",
    [
        checks.oir_accepted,
        checks.booked_once,
        checks.claim_matches_case,
        checks.psrm_no_rejections,
        checks.handover_after_srb,
        checks.psrm_status,
        checks_debitor.rykker_sent,
        checks_debitor.handover_after_rykker,
        checks_debitor.mailbox_read,
        checks_debitor.fagsystem_saldo,
        checks_debitor.daekning_read,
        checks_finans.finans_accepted,
        checks_finans.finans_booked,
        checks_finans.finans_balanced,
        checks_finans.finans_mapped,
        checks_finans.finans_booked_on,
        checks_finans.finans_corrected_at_source,
        checks_finans.finans_answer_fetched,
        checks_finans.nulsumtest,
        checks_udefra.finans_as_masse,
        checks_helhed.claims_accounted,
        checks_helhed.srb_after_forfald,
        checks_helhed.no_personal_data,
        checks_helhed.invariants_hold,
        checks_livsforloeb.exchanges_accepted,
        checks_livsforloeb.claim_after_events,
        checks_livsforloeb.co_debtors_liable,
        checks_livsforloeb.payouts_made,
        checks_udefra.payment_dated,
        checks_livsforloeb.hearing_answered,
        checks_reindgi.reindgi_resubmitted,
        checks_robusthed.nothing_lost,
        checks_robusthed.handed_over_once,
        checks_robusthed.debtor_identified,
        checks_robusthed.no_fixed_address_marked,
        checks_robusthed.claim_corrected,
        checks_robusthed.paid_to_payee,
    ],
)
"""Every certification check by name (suites and reports name them); a check that raises is an ERROR
(`CHECK_ERROR`), which any check may end in."""


def evaluate(expectations: list[Any], observation: Observation) -> list[Failure]:
    """Apply a step's expectations (check names, or {name: argument}) to what was observed."""
    failures: list[Failure] = []
    for expectation in expectations:
        name, argument = (
            (expectation, None) if isinstance(expectation, str) else next(iter(expectation.items()))
        )
        try:
            failures.extend(CHECKS[name](observation, argument))
        except Exception as exc:  # a check that cannot judge what it saw is the harness's error, shown as one
            failures.append(check_error(name, exc))
    return failures
