"""Property-based fuzzing of every documented operation with schemathesis (its CLI, as a subprocess).

The CI run is bounded: ~10 generated cases per operation plus schemathesis' coverage phase (boundary and
negative cases), a few hundred requests in all, against a test kommune on 127.0.0.1. The long run is
`benchmarks/fuzz_long.py`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import requests
from testkommune import contracts
from testkommune.contracts.clock import ClockState, parse_instant
from testkommune.contracts.schemas import ContractSet
from testkommune.harness.server import RunningKommune, start_in_thread
from testkommune.simulators.openapi import openapi_document

KOMMUNE = "851"
SYSTEM = "fuzz"
CHECKS = "not_a_server_error,response_schema_conformance"
CI_EXAMPLES = 10
CI_SEED = int(os.environ.get("TESTKOMMUNE_FUZZ_SEED", "20261123"))
CI_TIME_LIMIT_S = 120
_ST = "from schemathesis.cli import schemathesis; schemathesis()"


def dangling_refs(document: dict[str, Any]) -> list[str]:
    """Every local `$ref` in `document` that points at nothing."""
    found: set[str] = set()

    def resolves(ref: str) -> bool:
        node: Any = document
        for part in unquote(ref.removeprefix("#/")).split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return True

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#") and not resolves(ref):
                found.add(ref)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    return sorted(found)


def built_document() -> dict[str, Any]:
    """The OpenAPI document `simulators.openapi` builds from contracts no validator has compiled yet."""
    from testkommune.simulators.app import create_app

    return openapi_document(ContractSet(contracts.ROOT), create_app("sqlite:///:memory:").routes)


def run_schemathesis(
    location: str,
    base_url: str,
    report: Path,
    *,
    max_examples: int,
    seed: int,
    phases: str = "examples,coverage,fuzzing",
    workers: int = 1,  # CPython 3.11.7's ast.parse is not thread-safe: hypothesis crashed in a second worker
    time_limit_s: float = CI_TIME_LIMIT_S,
) -> tuple[dict[str, Any], str]:
    """Run `st run` once; return its JSON report and its console output."""
    command = [
        sys.executable,
        "-c",
        _ST,
        "run",
        location,
        "--url",
        base_url,
        "--header",
        f"X-TK-Kommune: {KOMMUNE}",
        "--header",
        f"X-TK-Anvendersystem: {SYSTEM}",
        "--checks",
        CHECKS,
        "--phases",
        phases,
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--workers",
        str(workers),
        "--request-timeout",
        "10",
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    result = subprocess.run(
        command, cwd=report.parent, capture_output=True, text=True, timeout=time_limit_s, check=False
    )
    output = result.stdout + result.stderr
    if not report.is_file():
        raise AssertionError(f"schemathesis wrote no report (exit {result.returncode}):\n{output[-4000:]}")
    return json.loads(report.read_text(encoding="utf-8")), output


def failures_of(report: dict[str, Any]) -> list[str]:
    """Every failed check and every error, one line each."""
    lines = [json.dumps(f, ensure_ascii=False)[:1000] for f in report["failures"]]
    return lines + [json.dumps(e, ensure_ascii=False)[:1000] for e in report["errors"]]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningKommune]:
    tmp = tmp_path_factory.mktemp("fuzz")
    start = ClockState.frozen_at(parse_instant("2026-09-20T09:00:00+02:00"))
    running = start_in_thread(f"sqlite:///{tmp / 'fuzz.db'}", start_clock=start, log_level="error")
    yield running
    running.stop()


def test_the_served_document_has_no_dangling_refs_and_is_the_built_one(fuzzed):
    served = requests.get(f"{fuzzed.base_url}/openapi.json", timeout=30).json()
    assert dangling_refs(served) == []
    assert served == built_document()


@pytest.mark.slow
def test_fuzzing_finds_no_server_error_and_no_answer_outside_its_schema(fuzzed, tmp_path):
    document = built_document()
    assert dangling_refs(document) == []
    served = requests.get(f"{fuzzed.base_url}/openapi.json", timeout=30).json()
    assert _operations(served) == _operations(document), "the fuzzed document describes another API"
    location = tmp_path / "openapi.json"
    location.write_text(json.dumps(document), encoding="utf-8")

    report, output = run_schemathesis(
        str(location), fuzzed.base_url, tmp_path / "report.json", max_examples=CI_EXAMPLES, seed=CI_SEED
    )

    cases = report["test_cases"]["generated"]
    print(f"\nschemathesis: {cases} requests, {len(report['failures'])} failures, seed {CI_SEED}")
    assert failures_of(report) == [], output[-6000:]
    assert report["exit_code"] == 0, output[-6000:]
    assert report["warnings"]["unresolvable_reference"] == []
    # the fuzzer reaches the admin API (issue 14, finding 10: every generated admin call used to be a 400);
    # only the NemKonto register's free-form {type}/{nummer} path is still mostly refused, and a payment
    # earmarked for a claim (Indbetaling_I.FordringID): the fuzzer cannot know a claim id, so PSRM-509
    allowed = ("/register/", "/psrm/indbetalinger")
    mostly_refused = report["warnings"]["validation_mismatch"]
    assert [op for op in mostly_refused if "/admin/" in op and not any(a in op for a in allowed)] == [], (
        mostly_refused
    )
    assert report["operations"]["tested"] == len(_operations(document))
    assert 200 <= cases <= 10_000, cases
    journal = requests.get(
        f"{fuzzed.base_url}/admin/tenants/{KOMMUNE}/{SYSTEM}/journal", params={"limit": 5000}, timeout=30
    ).json()
    answered = {e["status"] for e in journal["entries"]}
    assert len(journal["entries"]) >= 100 and 200 in answered and 400 in answered, answered


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    return {
        (path, method): sorted(operation.get("responses", {}))
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
