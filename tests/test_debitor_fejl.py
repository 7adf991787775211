"""A claim under inddrivelse that the fagsystem cancels is recalled at PSRM with FEJL, and PSRM's reversal of
each dækning reaches the fagsystem through the debitor system's mailbox (DEB-05, over real HTTP).

psrm.md §6.3 [S] gaeldst.dk …/tilbagekald-fordring: FEJL — coverings 'all reversed'; §8: the allokering
notification 'includes reversals of coverings'; oeir.md §4.2: DaekningAfskrivningRegistreringAfsend keeps the
fagsystem's balance per krav current. That the debitor system maps ANNULLER of a claim under inddrivelse to
FEJL, and the mailbox type DAEKNING_TILBAGEFOERT, are testkommune's inference [I].
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from testkommune.contracts.driver import KommuneConnection
from testkommune.harness.certify.client import AdminClient
from testkommune.harness.certify.runner import Runner
from testkommune.harness.certify.suite import load_suite
from testkommune.harness.inprocess import InProcessKommune
from testkommune.scenarios.fagsystemer import VARIANTS
from testkommune.simulators.debitor import overdragelse


@pytest.fixture(scope="module")
def kommune():
    with InProcessKommune() as running:
        yield running


def _run(kommune, system: str):
    connection = KommuneConnection(kommune.base_url, "851", system)
    result = Runner(load_suite("debitor"), VARIANTS["reference"](), connection).run(only=["DEB-05"])
    return result.scenarios[0], AdminClient(kommune.base_url, "851", system).debitor()


def test_every_daekning_forwarded_is_reversed_and_the_balances_agree(kommune):
    outcome, debitor = _run(kommune, "fejl-reversal")
    assert outcome.outcome == "passed", [(f.check, f.code, f.expected, f.actual) for f in outcome.failures]
    from_psrm = [m for m in debitor["mailbox"] if (m.get("Detaljer") or {}).get("Kilde") == "PSRM"]
    covered = [m for m in from_psrm if m["Type"] == "DAEKNING"]
    reversed_ = [m for m in from_psrm if m["Type"] == "DAEKNING_TILBAGEFOERT"]
    assert covered and len(reversed_) == len(covered)
    for claim in {m["FordringReference"] for m in covered}:
        paid = sum(Decimal(str(m["Beløb"])) for m in covered if m["FordringReference"] == claim)
        back = sum(Decimal(str(m["Beløb"])) for m in reversed_ if m["FordringReference"] == claim)
        assert paid == back, claim
    recall = [m for m in from_psrm if m["Detaljer"].get("PSRMHændelse") == "TILBAGEKALD_FEJL"]
    assert {m["Type"] for m in recall} == {"AFSKRIVNING"}  # the main claim and its rykkergebyr with it
    assert len([m for m in recall if "RelateretFordring" not in m["Detaljer"]]) == 1
    claim = debitor["accounts"][0]["Fordring"][0]
    assert (claim["FordringTilstand"], claim["SaldoBeløb"]) == ("ANNULLERET", 0.0)


def test_a_debitor_system_that_drops_the_reversals_is_caught_by_fagsystem_saldo(kommune, monkeypatch):
    """The broken counterpart: PSRM's reversals are not forwarded; the fagsystem is told the 1000 kr stay
    paid, and the balance check names the difference (CERT-SALDO-AFVIGER)."""
    dropped = {k: v for k, v in overdragelse._PSRM_KINDS.items() if not k.endswith("_TILBAGEFOERT")}
    monkeypatch.setattr(overdragelse, "_PSRM_KINDS", dropped)
    outcome, _ = _run(kommune, "fejl-uden-reversal")
    assert outcome.outcome == "failed"
    first = outcome.failures[0]
    assert (first.check, first.code) == ("fagsystem_saldo", "CERT-SALDO-AFVIGER")
