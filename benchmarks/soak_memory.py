"""Soak run (on demand, never a test): does the server's memory stay flat under a long stream of deliveries?

Starts `testkommune serve` on 127.0.0.1 with a fresh SQLite file, sends OpretDebitorkonto deliveries (each
with a new TransaktionsID, account and fordring; every 10th one a re-delivery of an earlier message) for
`--duration` seconds or `--max-requests`, whichever comes first, and samples the server's resident memory
(VmRSS from /proc) every `--sample` seconds. Prints a table and the growth from the first sample after
warm-up to the last one.

    python benchmarks/soak_memory.py --duration 600 --sample 30
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.messages import fordring, opret  # noqa: E402

HEADERS = {"X-TK-Kommune": "851", "X-TK-Anvendersystem": "soak"}
PATH = "/service/OIR/DebitorRegistreringAfsend/1/OpretDebitorkonto"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _wait(base: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        try:
            if requests.get(f"{base}/admin/health", timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=120, help="seconds of load (default 120)")
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    parser.add_argument("--sample", type=float, default=10, help="seconds between memory samples")
    parser.add_argument("--warmup", type=float, default=10, help="seconds before the baseline sample")
    args = parser.parse_args()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as work:
        db = f"sqlite:///{work}/soak.db"
        cmd = [sys.executable, "-m", "testkommune.harness", "serve", "--port", str(port), "--db", db]
        cmd += ["--log-level", "error"]
        proc = subprocess.Popen(cmd, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait(base, proc)
            samples = _soak(base, proc.pid, args)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    _report(samples, args)
    return 0


def _soak(base: str, pid: int, args: argparse.Namespace) -> list[tuple[float, int, int, float]]:
    session = requests.Session()
    start = time.monotonic()
    next_sample = start
    sent = failed = 0
    replayable: list[dict] = []
    samples: list[tuple[float, int, int, float]] = []
    while (elapsed := time.monotonic() - start) < args.duration and sent < args.max_requests:
        if sent % 10 == 9 and replayable:
            body = replayable[(sent // 10) % len(replayable)]
        else:
            body = opret(fordring(f"F{sent}"), account=f"K{sent}")
            if len(replayable) < 100:
                replayable.append(body)
        answer = session.post(base + PATH, data=json.dumps(body), headers=HEADERS, timeout=30)
        sent += 1
        failed += answer.status_code != 200
        if time.monotonic() >= next_sample:
            samples.append((elapsed, sent, failed, _rss_mib(pid)))
            print(f"{elapsed:8.1f} s  {sent:9,d} requests  {failed:5d} failed  RSS {samples[-1][3]:8.1f} MiB")
            next_sample += args.sample
    samples.append((time.monotonic() - start, sent, failed, _rss_mib(pid)))
    return samples


def _report(samples: list[tuple[float, int, int, float]], args: argparse.Namespace) -> None:
    after_warmup = [s for s in samples if s[0] >= args.warmup] or samples
    first, last = after_warmup[0], samples[-1]
    print(
        f"\n{last[1]:,d} requests ({last[2]} not 200) in {last[0]:.0f} s; RSS {first[3]:.1f} MiB at "
        f"{first[0]:.0f} s → {last[3]:.1f} MiB at {last[0]:.0f} s (growth {last[3] - first[3]:+.1f} MiB)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
