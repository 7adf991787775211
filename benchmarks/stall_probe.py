"""Stall probe (on demand, never a test): how long does one hostile request delay another tenant's call?

Starts a test kommune in-process on 127.0.0.1, then `--rounds` times sends one heavy request while another
tenant calls `GET .../clock` every 10 ms, and prints the other tenant's calls meanwhile: count, median and
worst latency. The target is a worst case under 100 ms. `--case`:

- `fields`: a body of `--fields` unknown fields (400,000 by default: 4.5 MB, the reproducer of issue 14) to
  ØiR's OpretDebitorkonto; `fields-psrm`: the same to PSRM's MFFordringIndberet, which passes the
  old-shape translation first;
- `leverance`: a valid MFFordringIndberet of 1,000 new claims (the contract's most), then the
  MFKvitteringHent that has PSRM process them, both timed as one;
- `state`, `invarianter`, `journal`: the admin view of a tenant given 5,000 claims first (`journal`: 5,000
  OpretDebitorkonto, its last 5,000 exchanges; the others: five leverancer of 1,000);
- `masse`: a valid ModtagFinansbilagMasse of 500 bilag (about 1.7 MB, the contract's most), then the
  HentForretningskvittering that makes the ERP process (book) all of them, both timed as one.

    python benchmarks/stall_probe.py --rounds 5
    python benchmarks/stall_probe.py --case masse --rounds 5 --db file --server process

`--server thread` (the default) serves in this process, so the probe's own client work (sending 1.7 MB,
reading the answers) competes for the same GIL and counts as delay; `--server process` runs
`testkommune serve` as its own process, as a deployment does.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from testkommune.harness.server import start_in_thread  # noqa: E402

from tests.erp_messages import HENT, MASSE, finansbilag, opkraevning  # noqa: E402
from tests.messages import OIR_B01, fordring, opret, psrm_leverance_of  # noqa: E402

HOSTILE = {"X-TK-Kommune": "851", "X-TK-Anvendersystem": "hostile", "content-type": "application/json"}
MASSE_BILAG = 500
"""ModtagFinansbilagMasse_I's maxItems."""
MASSE_PAIRS = 9
"""Debet/kredit pairs per bilag: 18 lines make a 500-bilag delivery about 1.7 MB."""


def unknown_fields(
    base_url: str, fields: int, path: str = f"{OIR_B01}/OpretDebitorkonto"
) -> Callable[[], int]:
    """One OpretDebitorkonto with `fields` unknown fields; returns the answer's size."""
    message = opret(fordring("F1"))
    message.update({f"x{i}": 1 for i in range(fields)})
    body = json.dumps(message, separators=(",", ":")).encode()

    def send() -> int:
        url = f"{base_url}{path}"
        return len(requests.post(url, data=body, headers=HOSTILE, timeout=120).content)

    return send


def masse_delivery(base_url: str) -> Callable[[], int]:
    """A valid 500-bilag ModtagFinansbilagMasse, then the fetch that has them processed (the tenant's default
    processing time is 0: they are due at the next call); returns both answers' size."""
    tenant = f"{base_url}/admin/tenants/851/hostile"
    requests.post(f"{tenant}/reset", timeout=30).raise_for_status()
    requests.post(f"{tenant}/clock", json={"set": "2026-09-20"}, timeout=30).raise_for_status()
    run = uuid.uuid4().hex[:8]
    bilag = [
        finansbilag(opkraevning(100.0 + i) * MASSE_PAIRS, bilag_id=f"S-{run}-{i}") for i in range(MASSE_BILAG)
    ]
    transaktion = str(uuid.uuid4())
    message = {
        "Hovedoplysninger": {"TransaktionsID": transaktion, "TransaktionsTid": "2026-09-20T09:00:00+02:00"}
    }
    body = json.dumps(message | {"Finansbilag": bilag}, ensure_ascii=False).encode()

    def send() -> int:
        delivered = requests.post(f"{base_url}{MASSE}", data=body, headers=HOSTILE, timeout=120)
        assert delivered.status_code == 200, delivered.text[:500]
        fetched = requests.post(
            f"{base_url}{HENT}", json={"TransaktionsID": transaktion}, headers=HOSTILE, timeout=120
        )
        statuses = {answer["Status"] for answer in fetched.json()["Forretningskvittering"]}
        assert statuses == {"GODKENDT"}, statuses
        return len(body) + len(fetched.content)

    return send


def leverance(base_url: str, round_: int) -> Callable[[], int]:
    """1,000 new claims to PSRM and the receipt fetch that has them processed; returns both answers' size."""
    name = f"L{round_}-{uuid.uuid4().hex[:6]}"
    body = json.dumps(psrm_leverance_of(1000, name), ensure_ascii=False).encode()

    def send() -> int:
        delivered = requests.post(
            f"{base_url}/psrm/MFFordringIndberet", data=body, headers=HOSTILE, timeout=120
        )
        assert delivered.status_code == 200, delivered.text[:500]
        fetched = requests.post(
            f"{base_url}/psrm/MFKvitteringHent", json={"MFLeveranceID": name}, headers=HOSTILE, timeout=120
        )
        actions = fetched.json()["FordringAktionStatusSamling"]["MFAktionStruktur"]
        assert {a["MFAktionStatusKode"] for a in actions} == {"UDFOERT"}
        return len(delivered.content) + len(fetched.content)

    return send


def fill(base_url: str, case: str) -> None:
    """Give the hostile tenant 5,000 claims: by five leverancer, or (`journal`) by 5,000 OpretDebitorkonto."""
    requests.post(f"{base_url}/admin/tenants/851/hostile/clock", json={"set": "2026-09-20"}, timeout=30)
    if case != "journal":
        for number in range(5):
            leverance(base_url, number)()
        return
    session = requests.Session()

    def create(number: int) -> int:
        url = f"{base_url}{OIR_B01}/OpretDebitorkonto"
        return session.post(url, json=opret(fordring(f"F{number}")), headers=HOSTILE, timeout=60).status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(create, range(5000))) == {200}


def admin_view(base_url: str, case: str) -> Callable[[], int]:
    path = {"journal": "journal?limit=5000"}.get(case, case)

    def send() -> int:  # read in 1 MiB pieces: the probe's own reading of 8 MB must not count as delay
        with requests.get(f"{base_url}/admin/tenants/851/hostile/{path}", timeout=120, stream=True) as answer:
            assert answer.status_code == 200, answer.text[:500]
            return sum(len(piece) for piece in answer.iter_content(1 << 20))

    return send


def probe(base_url: str, send: Callable[[], int]) -> tuple[list[float], float, int]:
    other = requests.Session()
    clock = f"{base_url}/admin/tenants/101/other/clock"
    other.get(clock, timeout=30)
    answer: dict[str, Any] = {}

    def run() -> None:
        started = time.monotonic()
        size = send()
        answer.update(seconds=time.monotonic() - started, size=size)

    thread = threading.Thread(target=run)
    thread.start()
    waits = []
    while thread.is_alive():
        started = time.monotonic()
        other.get(clock, timeout=30)
        waits.append(time.monotonic() - started)
        time.sleep(0.01)
    thread.join()
    return waits, float(answer["seconds"]), int(answer["size"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--case", choices=("fields", "fields-psrm", "masse", "leverance", *VIEWS), default="fields"
    )
    parser.add_argument("--fields", type=int, default=400_000)
    parser.add_argument(
        "--db", choices=("memory", "file"), default="memory", help="file: a fresh SQLite file (as `serve`)"
    )
    parser.add_argument("--server", choices=("thread", "process"), default="thread")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        db = ":memory:" if args.db == "memory" else f"sqlite:///{scratch}/stall.db"
        serving = served_process(db, scratch) if args.server == "process" else served_thread(db)
        with serving as base_url:
            run(base_url, args)


@contextlib.contextmanager
def served_thread(db: str) -> Iterator[str]:
    with start_in_thread(db) as kommune:
        yield kommune.base_url


@contextlib.contextmanager
def served_process(db: str, scratch: str) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    command = [sys.executable, "-m", "testkommune.harness", "serve", "--port", str(port), "--db", db]
    server = subprocess.Popen([*command, "--log-level", "error"], cwd=scratch, stdout=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and server.poll() is None:
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(f"{base_url}/admin/health", timeout=1).ok:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError("the test kommune did not start")
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)


VIEWS = ("state", "invarianter", "journal")


def run(base_url: str, args: argparse.Namespace) -> None:
    worst = 0.0
    if args.case in VIEWS:
        fill(base_url, args.case)
    for round_ in range(1, args.rounds + 1):
        if args.case == "masse":
            send = masse_delivery(base_url)
        elif args.case == "leverance":
            send = leverance(base_url, round_)
        elif args.case in VIEWS:
            send = admin_view(base_url, args.case)
        elif args.case == "fields-psrm":
            send = unknown_fields(base_url, args.fields, "/psrm/MFFordringIndberet")
        else:
            send = unknown_fields(base_url, args.fields)
        waits, seconds, size = probe(base_url, send)
        if not waits:
            print(f"round {round_}: the hostile call ({seconds * 1000:.0f} ms) ended before any other call")
            continue
        worst = max(worst, max(waits))
        print(
            f"round {round_}: hostile {args.case} {seconds * 1000:.0f} ms, {size} bytes; other tenant "
            f"{len(waits)} calls, median {statistics.median(waits) * 1000:.0f} ms, "
            f"worst {max(waits) * 1000:.0f} ms"
        )
    print(f"worst delay of another tenant's call: {worst * 1000:.0f} ms (target < 100 ms)")


if __name__ == "__main__":
    main()
