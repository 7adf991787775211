"""`testkommune load` through its command line (subprocess), against a test kommune on 127.0.0.1.

Every run is bounded: a few users for a few seconds. The machine is shared, so the tests judge what the
command reports about itself (its KPIs, its reconciliation, its exit code), not absolute speed.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests

# Never import Locust here: its gevent monkey patching would patch this pytest process (and its ssl).
if importlib.util.find_spec("locust") is None:
    pytest.skip("the load extra is not installed: pip install 'testkommune[load]'", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
LENIENT_SLO = """
slo_format: testkommune-slo/1
profiles:
  maanedskoersel: {throughput_min_rps: 1, p95_ms_max: 5000, p99_ms_max: 10000, error_rate_max_pct: 1,
                   no_lost_or_double_booked: true}
"""


def _load(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "testkommune.harness", "load", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        check=False,
    )


def _report(folder: Path, name: str = "load-maanedskoersel-foraeldrebetaling") -> tuple[dict[str, Any], str]:
    doc = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    return doc, (folder / f"{name}.html").read_text(encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def certification(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real certification report of the reference fagsystem (one scenario of the basis suite)."""
    from testkommune.harness.cli import run

    folder = tmp_path_factory.mktemp("cert")
    out = io.StringIO()
    code = run(
        ["certify", "--suite", "basis", "--fagsystem", "reference", "--scenario", "BASIS-01",
         "--report-dir", str(folder), "--signing-key", str(folder / "key.pem")],
        stdout=out,
    )  # fmt: skip
    assert code == 0, out.getvalue()
    return folder / "basis-foraeldrebetaling.json"


def _consistent(doc: dict[str, Any]) -> None:
    """The report keeps its contract; its figures agree with each other and with what was stored."""
    from testkommune.contracts.schemas import contract_set

    assert contract_set().get("harness/lastrapport").check(doc) == []
    kpis = doc["kpis"]
    per_endpoint = sum(e["requests"] for e in doc["endpoints"])
    assert kpis["requests"] == per_endpoint > 0
    acknowledged = kpis["requests"] - kpis["failures"] - kpis["business_refusals"]
    assert doc["reconciliation"]["acknowledged"] == acknowledged
    assert doc["reconciliation"]["lost"] == doc["reconciliation"]["double_booked"] == 0
    assert kpis["throughput_rps"] == pytest.approx(
        (kpis["requests"] - kpis["failures"]) / doc["elapsed_s"], 0.01
    )
    cpu = doc["cpu"]
    assert cpu["generators"] and all(g["samples"] >= 1 for g in cpu["generators"].values())
    assert (doc["run_status"] == "INVALID") == bool(cpu["saturated"])
    cores = sum(g["mean_pct"] for g in cpu["generators"].values()) / 100
    rate = kpis["requests"] / doc["elapsed_s"] / cores if cores else 0
    assert cpu["generator_cores"] == pytest.approx(cores, abs=0.001)
    assert cpu["rps_per_generator_core"] == pytest.approx(rate, rel=0.02, abs=1)


def test_month_end_against_the_simulators_from_one_command_gives_a_go_no_go_report(tmp_path, certification):
    slo = tmp_path / "slo.yaml"
    slo.write_text(LENIENT_SLO, encoding="utf-8")
    done = _load(
        "--profile", "maanedskoersel", "--users", "4", "--run-time", "4s", "--slo", str(slo),
        "--certification", str(certification), "--report-dir", str(tmp_path / "r"), cwd=tmp_path,
    )  # fmt: skip
    doc, html = _report(tmp_path / "r")
    _consistent(doc)
    endpoints = {e["name"] for e in doc["endpoints"]}
    assert endpoints == {
        "/service/OIR/DebitorRegistreringAfsend/1/OpretDebitorkonto",
        "/service/OIR/ModtagFinansbilag/2/ModtagFinansbilag",
        "/service/OIR/NKSBetalingsanmodning/1/NKSBetalingsanmodningAfsend",
    }
    assert doc["certification"]["found"] and doc["certification"]["verdict"] == "PASSED"
    assert doc["system_under_test"] == {
        "fagsystem": "foraeldrebetaling", "version": "1.0.0", "given_as": "reference (built-in)"
    }  # fmt: skip
    # 4 users for 4 s is below the month-end profile's minimums: never GO, and the exit code says so
    assert doc["run_status"] in ("TOO_SMALL", "INVALID") and doc["decision"] == "NO-GO", doc["reasons"]
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"TOO SMALL TO JUDGE: ran \d+\.\d s; the profile needs at least 15 s", done.stdout)
    # Locust's own report and tables beside ours; our page charts the run without a script
    stem = tmp_path / "r" / "load-maanedskoersel-foraeldrebetaling"
    assert "Request Count" in stem.with_name(stem.name + ".locust_stats.csv").read_text(encoding="utf-8")
    assert stem.with_name(stem.name + ".locust.html").stat().st_size > 0
    assert len(doc["timeline"]) >= 3 and html.count("<svg") == 3 and "<polyline" in html
    # the progress display and the summary
    assert re.search(r"elapsed +\d+\.\d/4 s \| users +\d+ \| req/s +[\d.]+ \| p95 +\d+ ms", done.stdout)
    assert "load generator CPU: headroom" in done.stdout
    per_core = re.search(
        r"load generator cost: (\d+) req/s per generator core \([\d.]+ cores used\)", done.stdout
    )
    assert per_core and int(per_core.group(1)) == doc["cpu"]["rps_per_generator_core"], done.stdout
    # the page: self-contained, both languages, the decision and the certification next to the KPIs
    assert "Content-Security-Policy" in html and "<script" not in html and "http-equiv" in html
    assert f">{doc['decision']}<" in html and "Certificering af samme systemversion" in html
    assert "PASSED" in html and "Lastgeneratorens CPU-reserve" in html


def test_without_a_certification_of_that_version_the_decision_is_no_go(tmp_path, certification):
    from testkommune.harness.load.certification import find_certification

    other = json.loads(certification.read_text(encoding="utf-8")) | {"fagsystem_version": "0.9.0"}
    old = tmp_path / "old.json"
    old.write_text(json.dumps(other), encoding="utf-8")
    assert find_certification(certification, "foraeldrebetaling", "1.0.0").passed
    for given, detail in [
        (
            old,
            "no certification found for foraeldrebetaling 1.0.0: "
            + f"{old} certifies foraeldrebetaling 0.9.0",
        ),
        (None, "no certification found for foraeldrebetaling 1.0.0 (none given)"),
        (tmp_path / "nope.json", "no certification found: cannot read"),
    ]:
        match = find_certification(given, "foraeldrebetaling", "1.0.0")
        assert not match.found and not match.passed and match.detail.startswith(detail)
    failed = json.loads(certification.read_text(encoding="utf-8")) | {"verdict": "FAILED"}
    old.write_text(json.dumps(failed), encoding="utf-8")
    match = find_certification(old, "foraeldrebetaling", "1.0.0")
    assert match.found and not match.passed and match.verdict == "FAILED"


def test_slo_files_are_checked_against_their_contract(tmp_path):
    from testkommune.harness.load.profiles import ProfileError
    from testkommune.harness.load.slo import judge, load_slo

    bad = tmp_path / "bad.yaml"
    bad.write_text("slo_format: testkommune-slo/1\nprofiles: {maanedskoersel: {p95_ms_max: -1}}\n")
    with pytest.raises(ProfileError, match="breaks contract harness/slo"):
        load_slo(bad, "maanedskoersel")
    with pytest.raises(ProfileError, match="no objectives for profile 'nytaar'"):
        load_slo(None, "nytaar")
    slo = load_slo(None, "maanedskoersel")
    kpis = {"throughput_rps": 50.0, "p95_ms": 20.0, "p99_ms": 2000.0, "error_rate_pct": 0.0,
            "lost_messages": 0.0, "double_booked_messages": 1.0}  # fmt: skip
    assert [k.kpi for k in judge(kpis, slo) if not k.holds] == ["p99_ms", "double_booked_messages"]


def test_reconciliation_finds_an_acknowledged_message_that_was_not_stored(kommune):
    from testkommune.contracts.driver import KommuneConnection
    from testkommune.harness.load.ledger import Ledger, reconcile
    from testkommune.harness.load.messages import billing_case
    from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling

    system = f"rec-{uuid.uuid4().hex[:8]}"
    requests.post(
        f"{kommune.base_url}/admin/tenants/851/{system}/clock", json={"set": "2026-09-30"}, timeout=10
    )
    fagsystem = Foraeldrebetaling()
    fagsystem.connect(KommuneConnection(kommune.base_url, "851", system))
    fagsystem.bill(billing_case("t1", 1, date(2026, 9, 30)), date(2026, 9, 30))
    (claim,) = fagsystem.claims
    assert claim.accepted
    ledger = Ledger()
    ledger.ack("opretdebitorkonto", claim.reference)
    ledger.ack("opretdebitorkonto", "FB-t1-999999-202610")
    ledger.ack("finansbilag", "LB-t1-never-sent")
    found = reconcile(ledger, kommune.base_url, "851", system, prefixes=["t1"])
    assert found.acknowledged == 3 and found.double_booked == []
    assert found.lost == ["OpretDebitorkonto FB-t1-999999-202610", "Finansbilag LB-t1-never-sent"]


def test_a_saturated_generator_is_named(tmp_path):
    from testkommune.harness.load.cpu import CpuSamples

    summary = CpuSamples().summary({"w1": {"mean_pct": 95.0, "max_pct": 99.0, "samples": 4},
                                    "w2": {"mean_pct": 40.0, "max_pct": 60.0, "samples": 4}})  # fmt: skip
    assert summary["saturated"] == ["w1"] and summary["headroom_pct_of_one_core"] == 5.0


def test_a_slowed_test_kommune_makes_the_same_command_exit_1_naming_the_breached_kpi(tmp_path, kommune):
    system = f"slow-{uuid.uuid4().hex[:8]}"
    fault = requests.post(
        f"{kommune.base_url}/admin/tenants/851/{system}/faults",
        json={"kind": "latency", "operation": "*", "count": None, "delay_ms": 800},
        timeout=10,
    )
    assert fault.status_code == 200, fault.text
    done = _load(
        "--profile", "maanedskoersel", "--url", kommune.base_url, "--system", system, "--users", "3",
        "--run-time", "4s", "--report-dir", str(tmp_path), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    doc, _ = _report(tmp_path)
    assert "p95_ms" in doc["breached"] and doc["slo_status"] == "BREACHED" and doc["decision"] == "NO-GO"
    assert doc["kpis"]["p95_ms"] >= 800
    breached = re.search(r"breached KPI: (.+)", done.stdout)
    assert breached and "p95_ms" in breached.group(1)
    assert re.search(r"BREACH p95_ms = \d+", done.stdout)
    _consistent(doc)


def test_load_through_the_vendors_system_measures_the_driver_call_and_a_saturated_generator_is_invalid(
    tmp_path, certification, kommune
):
    slo = tmp_path / "slo.yaml"
    slo.write_text(LENIENT_SLO, encoding="utf-8")
    done = _load(
        "--target", "fagsystem", "--fagsystem", "reference", "--users", "2", "--run-time", "3s",
        "--url", kommune.base_url, "--system", f"drv-{uuid.uuid4().hex[:8]}", "--max-generator-cpu", "0.01",
        "--slo", str(slo), "--certification", str(certification), "--report-dir", str(tmp_path), cwd=tmp_path,
    )  # fmt: skip
    doc, html = _report(tmp_path)
    assert [(e["method"], e["name"]) for e in doc["endpoints"]] == [("DRIVER", "bill")]
    assert doc["target"] == "fagsystem" and doc["system_under_test"]["given_as"] == "reference"
    assert doc["profile"]["weights"] == {"finansbilag": 0, "opretdebitorkonto": 1, "betalingsanmodning": 0}
    _consistent(doc)
    # any generator uses more than 0.01 % of a core: the run is not counted, whatever its KPIs
    assert (
        doc["cpu"]["saturated"] == ["local"] and doc["run_status"] == "INVALID" and doc["decision"] == "NO-GO"
    )
    assert done.returncode == 1 and "INVALID: load generator saturated (local above 0.01 %" in done.stdout
    assert ">INVALID<" in html


def test_distributed_master_and_two_workers_on_loopback(tmp_path, kommune):
    port = str(_free_port())
    slo = tmp_path / "slo.yaml"
    slo.write_text(LENIENT_SLO, encoding="utf-8")
    common = [sys.executable, "-m", "testkommune.harness", "load"]
    started = time.monotonic()
    master = subprocess.Popen(
        [*common, "--master", "--expect-workers", "2", "--master-port", port, "--users", "4",
         "--run-time", "3s", "--slo", str(slo), "--report-dir", str(tmp_path), "--url", kommune.base_url,
         "--system", f"dist-{uuid.uuid4().hex[:8]}"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    workers = [
        subprocess.Popen(
            [*common, "--worker", "--master-host", "127.0.0.1", "--master-port", port],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        out, _ = master.communicate(timeout=30)
        worker_out = [w.communicate(timeout=10)[0] for w in workers]
    finally:
        for process in (master, *workers):
            if process.poll() is None:
                process.kill()
    assert time.monotonic() - started <= 30
    assert "2 workers connected" in out, out
    doc, _ = _report(tmp_path)
    assert doc["distributed"] == {"master": True, "workers": 2}
    assert len(doc["cpu"]["generators"]) == 2  # each worker's own CPU, not the master's
    _consistent(doc)
    assert doc["decision"] == "NO-GO" and master.returncode == 1, out  # 3 s, no certification: never GO
    for text, process in zip(worker_out, workers, strict=True):
        assert process.returncode == 0 and "profile maanedskoersel against http://127.0.0.1:" in text, text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--profile", "nytaar"], "unknown profile 'nytaar'; profiles: maanedskoersel, daglig, indhentning"),
        (["--target", "fagsystem", "--run-time", "2s"], "--target fagsystem needs --fagsystem"),
    ],
)
def test_usage_errors_exit_2_and_say_why(tmp_path, args, message):
    done = _load(*args, cwd=tmp_path, timeout=30)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert not list(tmp_path.glob("testkommune-reports/*"))


def test_without_locust_the_command_says_how_to_install_it(tmp_path):
    hide = "import sys; sys.modules['locust'] = None; from harness.cli import run; sys.exit(run(['load']))"
    done = subprocess.run(
        [sys.executable, "-c", hide], cwd=tmp_path, capture_output=True, text=True, timeout=30, check=False,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 2
    assert "the load command needs Locust: pip install 'testkommune[load]'" in done.stderr
