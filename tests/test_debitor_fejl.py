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


def test_every_daekning_forwarded_is_reversed_covers_the_other_claim_and_the_balances_agree(kommune):
    """The 1000 kr paid covered case 1's claim (received first); recalled with FEJL, each of its dækninger is
    reversed to the fagsystem, and the freed 1000 kr cover case 2's claim (GIL § 4 stk. 5, JV G.A.2.3.4.1)."""
    outcome, debitor = _run(kommune, "fejl-reversal")
    assert outcome.outcome == "passed", [(f.check, f.code, f.expected, f.actual) for f in outcome.failures]
    claims = {c["FordringTilstand"]: c for c in debitor["accounts"][0]["Fordring"]}
    recalled, other = claims["ANNULLERET"], claims["UNDER_INDDRIVELSE"]
    from_psrm = [m for m in debitor["mailbox"] if (m.get("Detaljer") or {}).get("Kilde") == "PSRM"]

    def total(kind: str, claim: dict) -> Decimal:
        mine = [
            m for m in from_psrm if m["Type"] == kind and m["FordringReference"] == claim["FordringReference"]
        ]
        return sum((Decimal(str(m["Beløb"])) for m in mine), Decimal(0))

    assert total("DAEKNING", recalled) == total("DAEKNING_TILBAGEFOERT", recalled) == Decimal("1000")
    assert total("DAEKNING", other) == Decimal("1000") and total("DAEKNING_TILBAGEFOERT", other) == 0
    recall = [m for m in from_psrm if m["Detaljer"].get("PSRMHændelse") == "TILBAGEKALD_FEJL"]
    assert {m["Type"] for m in recall} == {"AFSKRIVNING"}  # the main claim and its rykkergebyr with it
    assert {m["FordringReference"] for m in recall} == {recalled["FordringReference"]}
    assert recalled["SaldoBeløb"] == 0.0


def test_a_debitor_system_that_drops_the_reversals_is_caught_by_fagsystem_saldo(kommune, monkeypatch):
    """The broken counterpart: PSRM's reversals are not forwarded; the fagsystem is told the 1000 kr stay
    paid, and the balance check names the difference (CERT-SALDO-AFVIGER)."""
    dropped = {k: v for k, v in overdragelse._PSRM_KINDS.items() if not k.endswith("_TILBAGEFOERT")}
    monkeypatch.setattr(overdragelse, "_PSRM_KINDS", dropped)
    outcome, _ = _run(kommune, "fejl-uden-reversal")
    assert outcome.outcome == "failed"
    first = outcome.failures[0]
    assert (first.check, first.code) == ("fagsystem_saldo", "CERT-SALDO-AFVIGER")
