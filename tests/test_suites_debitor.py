"""The `debitor` suite over real HTTP: rykker and hand-over, a PSRM payment and a set-off flowing back to the
fagsystem's mailbox; the reference passes, each broken variant fails for its own reason."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from testkommune.contracts.driver import KommuneConnection
from testkommune.harness.certify.runner import Runner
from testkommune.harness.certify.suite import SuiteError, load_suite
from testkommune.scenarios.fagsystemer import VARIANTS
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling

ROOT = Path(__file__).resolve().parents[1]


def _run(kommune, variant: str | Foraeldrebetaling, only: list[str] | None = None):
    """Run the suite in a tenant of its own; return the result, the fagsystem and its tenant's admin path."""
    fagsystem = VARIANTS[variant]() if isinstance(variant, str) else variant
    system = f"deb-{uuid.uuid4().hex[:10]}"
    result = Runner(load_suite("debitor"), fagsystem, KommuneConnection(kommune.base_url, "851", system)).run(
        only=only
    )
    return result, fagsystem, f"{kommune.base_url}/admin/tenants/851/{system}"


def _get(url: str) -> dict:
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def _failed(result) -> dict[str, tuple[str, str]]:
    return {
        s.scenario_id: (s.failures[0].check, s.failures[0].code)
        for s in result.scenarios
        if s.outcome != "passed"
    }


def test_the_reference_passes_every_debitor_scenario(kommune):
    result, _, _ = _run(kommune, "reference")
    assert [s.scenario_id for s in result.scenarios] == ["DEB-01", "DEB-02", "DEB-03", "DEB-04", "DEB-05"]
    assert result.passed, [(s.scenario_id, [f.code for f in s.failures]) for s in result.scenarios]


def test_deb01_rykker_with_fee_comes_before_the_hand_over_and_psrm_receipt(kommune):
    result, _, admin = _run(kommune, "reference", only=["DEB-01"])
    assert result.passed
    view = _get(f"{admin}/debitor")
    assert view["profil"]["id"] == "DEB-A"
    letters = [(x["Type"], x["Dato"]) for x in view["letters"]]
    assert [t for t, _ in letters] == ["OPKRAEVNING", "RYKKER", "UNDERRETNING_OVERDRAGELSE"]
    rykker = next(x for x in view["letters"] if x["Type"] == "RYKKER")
    assert rykker["Indhold"]["Gebyr"] == view["profil"]["rykker"]["gebyr_kr"] == 100.0
    assert rykker["Dato"] == "2026-10-16"  # the day after SRB (2026-10-15)
    claim = view["accounts"][0]["Fordring"][0]
    assert (claim["FordringTilstand"], claim["PSRM"]["MFAktionStatusKode"]) == (
        "UNDER_INDDRIVELSE",
        "UDFOERT",
    )
    assert claim["RykkergebyrBeløb"] == 100.0
    journal = _get(f"{admin}/journal")["entries"]
    handovers = [e for e in journal if e["operation"] == "RetFordringTilstand"]
    # asked once, on the scenario's daily run at the end of the profile's window (advance_until: handover_due)
    window = timedelta(days=view["profil"]["overdragelse_dage_efter_sidste_rykker"])
    assert [e["sim_time"][:10] for e in handovers] == [
        (date.fromisoformat(rykker["Dato"]) + window).isoformat()
    ]
    assert "Advarsler" not in handovers[0]["response"]


def test_deb02_the_psrm_payment_reaches_the_fagsystem_and_its_balance_matches(kommune):
    result, fagsystem, admin = _run(kommune, "reference", only=["DEB-02"])
    assert result.passed
    view = _get(f"{admin}/debitor")
    daekning = [m for m in view["mailbox"] if m["Type"] == "DAEKNING"]
    assert {m["Detaljer"]["Kilde"] for m in daekning} == {"PSRM"}
    assert sum(Decimal(str(m["Beløb"])) for m in daekning) == Decimal("1000.00")
    journal = _get(f"{admin}/journal")["entries"]
    reads = [e for e in journal if e["operation"] == "HentDaekningAfskrivning"]
    assert reads and json.loads(reads[-1]["response"])["Cursor"] == view["mailbox"][-1]["Sekvensnummer"]
    claim = view["accounts"][0]["Fordring"][0]
    # PSRM covers the rykkergebyr handed over with the claim first, then the hovedstol: 3200 + 100 - 1000
    assert claim["SaldoBeløb"] == 2300.0
    assert fagsystem.claims[0].restance == Decimal("2300.00")


def test_deb03_the_set_off_reaches_the_fagsystem_as_a_daekning(kommune):
    result, fagsystem, admin = _run(kommune, "reference", only=["DEB-03"])
    assert result.passed
    view = _get(f"{admin}/debitor")
    assert [(p["Type"], p["Beløb"]) for p in view["payments"]] == [("MODREGNING", 500.0)]
    setoff = [m for m in view["mailbox"] if m["Type"] == "DAEKNING"]
    assert [(m["Detaljer"]["Kilde"], m["Beløb"]) for m in setoff] == [("MODREGNING", 500.0)]
    claim = view["accounts"][0]["Fordring"][0]
    assert claim["FordringTilstand"] == "UNDER_INDDRIVELSE"  # the rest was handed over after the set-off
    assert fagsystem.claims[0].restance == Decimal(str(claim["SaldoBeløb"])) + Decimal("100.00")


def test_deb04_a_delayed_write_down_is_read_when_the_debitor_systems_run_has_sent_it(kommune):
    result, fagsystem, admin = _run(kommune, "reference", only=["DEB-04"])
    assert result.passed
    journal = _get(f"{admin}/journal")["entries"]
    reads = [
        (e["sim_time"][:10], e["response"]) for e in journal if e["operation"] == "HentDaekningAfskrivning"
    ]
    assert [day for day, _ in reads] == ["2026-09-21", "2026-09-22"]
    assert json.loads(reads[0][1])["Besked"] == []  # DEB-B: the write-down of 2026-09-21 is sent a day later
    assert "NEDSKRIVNING" in reads[1][1]
    claim = _get(f"{admin}/debitor")["accounts"][0]["Fordring"][0]
    assert claim["SaldoBeløb"] == 3000.0 and fagsystem.claims[0].restance == Decimal("3000.00")


def test_a_fagsystem_that_never_reads_its_mailbox_fails_deb02_to_deb05(kommune):
    result, _, _ = _run(kommune, "laeser-ikke-postkasse")
    assert _failed(result) == {
        "DEB-02": ("mailbox_read", "CERT-POSTKASSE-ULAEST"),
        "DEB-03": ("mailbox_read", "CERT-POSTKASSE-ULAEST"),
        "DEB-04": ("mailbox_read", "CERT-POSTKASSE-ULAEST"),
        "DEB-05": ("mailbox_read", "CERT-POSTKASSE-ULAEST"),
    }
    first = next(s for s in result.scenarios if s.scenario_id == "DEB-02").failures[0]
    assert first.field == "$.HentDaekningAfskrivning.Cursor"
    assert "HentDaekningAfskrivning" in first.fix_en and first.text_da
    assert (first.expected, first.actual) == (5, 5)  # five visible updates, none read


def test_a_fagsystem_that_stops_reading_after_the_hand_over_is_caught_by_its_cursor(kommune):
    class ReadsOnce(Foraeldrebetaling):
        name = "reads-once"

        def read_mailbox(self) -> None:
            if not self.cursor:
                super().read_mailbox()

    result, _, _ = _run(kommune, ReadsOnce(), only=["DEB-02"])
    failure = result.scenarios[0].failures[0]
    assert (failure.check, failure.code) == ("mailbox_read", "CERT-POSTKASSE-ULAEST")
    assert failure.actual < failure.expected  # it read some, not the PSRM dækninger after its cursor
    assert "CERT-SALDO-AFVIGER" in {f.code for f in result.scenarios[0].failures}


def test_a_hand_over_during_the_rykker_procedure_is_judged_on_the_debitor_systems_warning(kommune):
    result, _, _ = _run(kommune, "overdrager-under-rykker")
    assert _failed(result) == {"DEB-01": ("handover_after_rykker", "CERT-OVERDRAGET-UNDER-RYKKER")}
    _, _, admin = _run(kommune, "overdrager-under-rykker", only=["DEB-01"])
    asked = [e for e in _get(f"{admin}/journal")["entries"] if e["operation"] == "RetFordringTilstand"]
    assert [e["sim_time"][:10] for e in asked] == ["2026-10-15"]  # on SRB, before the rykker (SRB + 1)
    assert "DEB-OVERDRAG-UDEN-RYKKER" in asked[0]["response"]  # the debitor system's own warning
    first = result.scenarios[0].failures[0]
    assert "DEB-OVERDRAG-UDEN-RYKKER" in first.actual and "2026-10-15" in first.actual
    assert first.reproduce and "RetFordringTilstand" in first.reproduce
    assert "rykker" in first.fix_en


def test_a_bad_amount_in_a_money_step_breaks_the_suite_format(tmp_path):
    text = (ROOT / "scenarios/suites/debitor.yaml").read_text("utf-8").replace('"500.00"', '"500"')
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, "utf-8")
    with pytest.raises(SuiteError, match="modregning"):
        load_suite(str(broken))


def test_the_cli_certifies_the_debitor_suite_and_names_the_mailbox_defect(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "testkommune.harness",
            "certify",
            "--suite",
            "debitor",
            "--fagsystem",
            "laeser-ikke-postkasse",
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "COLUMNS": "100", "NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "CERT-POSTKASSE-ULAEST" in result.stdout and "DEB-02" in result.stdout
