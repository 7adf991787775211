"""Stall probe (on demand, never a test): how long does one hostile request delay another tenant's call?

Starts a test kommune in-process on 127.0.0.1, then `--rounds` times sends a body of `--fields` unknown
fields (400,000 by default: 4.5 MB, the reproducer of issue 14) while another tenant calls `GET .../clock`
every 10 ms, and prints the other tenant's calls during the hostile one: count, median and worst latency.
The target is a worst case under 100 ms.

    python benchmarks/stall_probe.py --rounds 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from testkommune.harness.server import start_in_thread  # noqa: E402

from tests.messages import OIR_B01, fordring, opret  # noqa: E402


def probe(base_url: str, fields: int) -> tuple[list[float], float, int]:
    message = opret(fordring("F1"))
    message.update({f"x{i}": 1 for i in range(fields)})
    body = json.dumps(message, separators=(",", ":")).encode()
    hostile = {"X-TK-Kommune": "851", "X-TK-Anvendersystem": "hostile", "content-type": "application/json"}
    other = requests.Session()
    clock = f"{base_url}/admin/tenants/101/other/clock"
    other.get(clock, timeout=30)
    answer: dict[str, object] = {}

    def send() -> None:
        started = time.monotonic()
        response = requests.post(
            f"{base_url}{OIR_B01}/OpretDebitorkonto", data=body, headers=hostile, timeout=120
        )
        answer.update(seconds=time.monotonic() - started, size=len(response.content))

    thread = threading.Thread(target=send)
    thread.start()
    waits = []
    while thread.is_alive():
        started = time.monotonic()
        other.get(clock, timeout=30)
        waits.append(time.monotonic() - started)
        time.sleep(0.01)
    thread.join()
    return waits, float(answer["seconds"]), int(answer["size"])  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--fields", type=int, default=400_000)
    args = parser.parse_args()
    with start_in_thread(":memory:") as kommune:
        worst = 0.0
        for round_ in range(1, args.rounds + 1):
            waits, seconds, size = probe(kommune.base_url, args.fields)
            if not waits:
                print(
                    f"round {round_}: the hostile call ({seconds * 1000:.0f} ms) ended before any other call"
                )
                continue
            worst = max(worst, max(waits))
            print(
                f"round {round_}: hostile call {seconds * 1000:.0f} ms, answer {size} bytes; other tenant "
                f"{len(waits)} calls, median {statistics.median(waits) * 1000:.0f} ms, "
                f"worst {max(waits) * 1000:.0f} ms"
            )
        print(f"worst delay of another tenant's call: {worst * 1000:.0f} ms (target < 100 ms)")


if __name__ == "__main__":
    main()
