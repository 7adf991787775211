"""Issue 14, finding 7: no full CPR number in any artefact of a failing run. Reports (HTML, JSON, JUnit, the
curl reproduce lines) mask them; the evidence bundle carries consistent pseudonyms (a keyed hash keeps the
date part and the number's shape), so `verify` still recomputes the verdict."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from testkommune.harness.certify.runner import make_cases
from testkommune.harness.certify.suite import load_suite
from testkommune.harness.evidence import verify_bundle
from testkommune.harness.evidence.pseudonym import Pseudonymiser

from tests.test_evidence import run_cli

CPR_SHAPE = re.compile(r"(?<![0-9])[0-3][0-9][01][0-9][0-9]{2}-?[0-9]{4}(?![0-9])")
VARIANT, SUITE = "nyt-id-ved-genforsoeg", "basis"


def _real_cprs(seed: int = 1) -> set[str]:
    cprs = set()
    for scenario in load_suite(SUITE).scenarios:
        for case in make_cases(scenario, seed):
            if case.debtor.kind == "person" or len(case.debtor.id) == 10:
                cprs.add(case.debtor.id)
    assert cprs
    return cprs


@pytest.fixture(scope="module")
def failing_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("privacy")
    assert run_cli("certify", "--suite", SUITE, "--fagsystem", VARIANT, cwd=root).returncode == 1
    return root / "testkommune-reports"


def _artefacts(reports: Path) -> list[Path]:
    files = [p for p in reports.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} >= {".json", ".xml", ".html"}
    return files


def test_no_artefact_of_a_failing_run_holds_a_real_cpr_number(failing_run):
    real = _real_cprs()
    for path in _artefacts(failing_run):
        text = path.read_text("utf-8")
        found = {m.replace("-", "") for m in CPR_SHAPE.findall(text)}
        assert not found & real, (path, sorted(found & real)[:3])


def test_reports_show_no_cpr_number_at_all(failing_run):
    for path in _artefacts(failing_run):
        if ".bevis" in path.as_posix():
            continue
        text = path.read_text("utf-8")
        assert not CPR_SHAPE.findall(text), (path, CPR_SHAPE.findall(text)[:3])
        if path.suffix == ".json":
            assert "-XXXX" in text  # the failing run's CPR numbers are there, masked


def test_the_pseudonymised_bundle_still_recomputes_its_verdict(failing_run):
    bundle = failing_run / f"{SUITE}-foraeldrebetaling-{VARIANT}.bevis"
    report = verify_bundle(bundle)
    assert report.valid, report.problems
    assert report.verdict_recorded == report.verdict_recomputed == "FAILED"


def test_pseudonyms_are_consistent_keep_the_date_part_and_the_shape():
    one, other = Pseudonymiser(b"key one"), Pseudonymiser(b"key two")
    text = "0101901239 and 010190-1239 and again 0101901239; 1111111118"
    masked = one.text(text)
    first, hyphened, again, valid = CPR_SHAPE.findall(masked)
    assert first == again and hyphened == first[:6] + "-" + first[6:] and first != "0101901239"
    assert first.startswith("010190") and int(first[-1]) % 2 == 9 % 2  # date part and sex digit kept
    weights = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1]
    assert sum(int(d) * w for d, w in zip(valid, weights, strict=True)) % 11 == 0  # still modulus 11
    assert sum(int(d) * w for d, w in zip(first, weights, strict=True)) % 11 != 0  # still not
    assert one.text(text) == masked and other.text(text) != masked
