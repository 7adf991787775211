"""Wall time of PSRM's batch for one large leverance of new claims, on a SQLite file.

A leverance of N new claims is received with a processing time of an hour, then the clock call that moves the
tenant two hours on runs the whole batch (in bounded steps, `psrm.service.process_step`); the time of that
call is the batch's. Each round runs on a fresh database and checks that every action was processed (UDFOERT).

    python benchmarks/psrm_batch.py [--claims 1000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from testkommune.harness.server import start_in_thread  # noqa: E402

from tests.conftest import Api  # noqa: E402
from tests.messages import psrm_leverance_of  # noqa: E402


def batch_seconds(claims: int, round_: int) -> float:
    """One round: the seconds the clock call that processes `claims` new claims took."""
    with tempfile.TemporaryDirectory() as folder, start_in_thread(f"sqlite:///{folder}/batch.db") as kommune:
        api = Api(kommune.base_url, "851", f"batch{round_}")
        api.clock(set="2026-09-20")
        api.settings({"psrm": {"behandlingstid_sekunder": 3600}})
        assert api.post("/psrm/MFFordringIndberet", psrm_leverance_of(claims, "L1")).status_code == 200
        started = time.perf_counter()
        api.clock(advance="2h")
        seconds = time.perf_counter() - started
        receipt = api.post("/psrm/MFKvitteringHent", {"MFLeveranceID": "L1"}).json()
        answers = receipt["FordringAktionStatusSamling"]["MFAktionStruktur"]
        statuses = {a["MFAktionStatusKode"] for a in answers}
        assert statuses == {"UDFOERT"}, statuses
        return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    times = [batch_seconds(args.claims, r) for r in range(args.rounds)]
    shown = ", ".join(f"{t * 1000:.0f}" for t in times)
    median = statistics.median(times) * 1000
    print(f"PSRM batch of {args.claims} new claims: {shown} ms; median {median:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
