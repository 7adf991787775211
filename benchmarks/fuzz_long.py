"""The long fuzzing run, on demand: schemathesis against a test kommune on 127.0.0.1 until N requests.

    python benchmarks/fuzz_long.py                      # 100,000 requests, at most 4 hours
    python benchmarks/fuzz_long.py --target 2000 --max-minutes 5

Each round is one `st run` with a new seed (the first also runs the coverage phase); rounds repeat until
the target number of requests is sent or the time budget is spent, then it prints the totals. Exit code 0
when no check failed, 1 otherwise; the JSON report of every round is kept in --out. Not collected by pytest
(testpaths = ["tests"]); the bounded CI run is tests/test_fuzz.py.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from testkommune.contracts.clock import ClockState, parse_instant  # noqa: E402
from testkommune.harness.server import start_in_thread  # noqa: E402

from tests.test_fuzz import built_document, dangling_refs, failures_of, run_schemathesis  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--target", type=int, default=100_000, help="requests to send (default 100000)")
    parser.add_argument("--max-minutes", type=float, default=240.0, help="time budget (default 240)")
    parser.add_argument("--examples", type=int, default=500, help="generated cases per operation per round")
    parser.add_argument(
        "--workers", type=int, default=1, help="schemathesis workers (default 1: see tests/test_fuzz.py)"
    )
    parser.add_argument("--seed", type=int, default=int(time.time()), help="seed of the first round")
    parser.add_argument("--out", type=Path, default=None, help="folder for the rounds' reports")
    args = parser.parse_args(argv)

    out = args.out or Path(tempfile.mkdtemp(prefix="testkommune-fuzz-"))
    out.mkdir(parents=True, exist_ok=True)
    document = built_document()
    if dangling_refs(document):
        print(f"the OpenAPI document has dangling refs: {dangling_refs(document)}", file=sys.stderr)
        return 2
    location = out / "openapi.json"
    location.write_text(json.dumps(document), encoding="utf-8")
    start = ClockState.frozen_at(parse_instant("2026-09-20T09:00:00+02:00"))
    key = out / "kommune-key.pem"  # an evidence key: the attestation routes sign
    db = f"sqlite:///{out / 'fuzz.db'}"
    kommune = start_in_thread(db, start_clock=start, log_level="error", signing_key=key)
    deadline = time.monotonic() + args.max_minutes * 60
    sent = failed = rounds = 0
    failures: list[str] = []
    try:
        while sent < args.target and time.monotonic() < deadline:
            seed = args.seed + rounds
            try:
                report, _output = run_schemathesis(
                    str(location),
                    kommune.base_url,
                    out / f"round-{rounds:04d}.json",
                    max_examples=args.examples,
                    seed=seed,
                    phases="coverage,fuzzing" if rounds == 0 else "fuzzing",
                    workers=args.workers,
                    time_limit_s=max(60.0, deadline - time.monotonic()),
                )
            except subprocess.TimeoutExpired:
                print(f"round {rounds + 1} seed {seed}: cut off by the time budget", flush=True)
                break
            rounds += 1
            cases = report["test_cases"]["generated"]
            found = failures_of(report)
            sent += cases
            failed += len(found)
            failures.extend(found)
            print(
                f"round {rounds} seed {seed}: {cases} requests, {len(found)} failures "
                f"(total {sent}/{args.target} requests, {failed} failures)",
                flush=True,
            )
    finally:
        kommune.stop()
    print(f"\n{sent} requests in {rounds} rounds, {failed} failures; reports in {out}")
    for line in failures:
        print(f"  {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
