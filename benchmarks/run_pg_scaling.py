"""Scaling of the simulators from one to two worker processes sharing their state in PostgreSQL.

For each worker count a fresh database is created on the local server (127.0.0.1:5432, trust auth), then
`testkommune serve --db postgresql+psycopg://… --workers N` is loaded by wrk with unique bodies (the same
Lua script and bodies as `run_http.py`), stopped, verified (every acknowledged request stored, no refusal)
and its database dropped. Nothing is pinned: the workers, PostgreSQL and wrk share the machine's cores, so
the figure says what N workers give on *this* machine, not what they give on idle cores.

    python benchmarks/run_pg_scaling.py [--path psrm-create] [--duration 10] [--rounds 2] [--workers 1,2]

Only 127.0.0.1 is contacted; every load is bounded by wrk's duration and a hard timeout.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from benchmarks.run_http import (  # noqa: E402
    HOST,
    PATHS,
    RESULTS,
    TENANT,
    _free_port,
    _wait_listening,
    lua_script,
    run_wrk,
    smoke,
)

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test", "connect_timeout": 5}
COUNTS = {
    "psrm-create": (
        "SELECT status, count(*) FROM psrm_actions WHERE tenant = %s AND aktion_id LIKE %s GROUP BY status",
        "A-",
    ),
    "oir-voucher": (
        "SELECT 'STORED', count(*) FROM debitor_claims WHERE tenant = %s AND reference LIKE %s",
        "F-",
    ),
    "erp-voucher": (
        "SELECT status, count(*) FROM erp_bilag WHERE tenant = %s AND bilag_id LIKE %s GROUP BY status",
        "B-",
    ),
}


@contextmanager
def database() -> Iterator[str]:
    name = f"tk_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(**PG, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(**PG, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tree_cpu_s(pid: int) -> float:
    """CPU seconds of a process and its direct children (the workers)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


@contextmanager
def served(url: str, workers: int, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    argv = [sys.executable, "-m", "harness", "serve", "--port", str(port), "--db", url]
    argv += ["--workers", str(workers), "--log-level", "warning"]
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_listening(port, proc, log, timeout=60)
        time.sleep(2.0 if workers > 1 else 0.5)  # every worker has built its app
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _settings(port: int, changes: dict[str, Any]) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        body = json.dumps(changes)
        conn.request("PATCH", f"/admin/tenants/{TENANT}/settings", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        if response.status != 200:
            raise RuntimeError(f"settings not changed: {response.status} {response.read()[:300]!r}")
        response.read()
    finally:
        conn.close()


def measure(path_name: str, workers: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    path = next(p for p in PATHS if p.name == path_name)
    tag = f"w{workers}{uuid.uuid4().hex[:6]}"
    script = work / f"{tag}.lua"
    script.write_text(lua_script(path, tag), encoding="utf-8")
    port = _free_port()
    with database() as name:
        url = f"postgresql+psycopg://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
        with served(url, workers, port, work / f"{tag}.log") as proc:
            smoke(path, port, tag)
            if args.processing_delay is not None:
                _settings(port, {"psrm": {"behandlingstid_sekunder": args.processing_delay}})
            common = {"connections": args.connections, "threads": 1, "server_pid": proc.pid, "pin": False}
            run_wrk(script, f"http://{HOST}:{port}{path.url_path}", phase=0, duration=args.warmup, **common)
            cpu_before, started = _tree_cpu_s(proc.pid), time.monotonic()
            result = run_wrk(
                script, f"http://{HOST}:{port}{path.url_path}", phase=1, duration=args.duration, **common
            )
            server_cpu = (_tree_cpu_s(proc.pid) - cpu_before) / (time.monotonic() - started)
        query, prefix = COUNTS[path_name]
        with psycopg.connect(**(PG | {"dbname": name})) as conn:
            rows = dict(conn.execute(query, (TENANT, f"{prefix}{tag}-1%")).fetchall())
    acknowledged = result.requests - result.errors["status_errors"]
    stored = sum(rows.values())
    refused = rows.get("AFVIST", 0)
    ok = result.errors["status_errors"] == 0 and refused == 0
    ok = ok and acknowledged <= stored <= acknowledged + args.connections
    return {
        "path": path_name,
        "workers": workers,
        "rps": result.rps,
        "p50_ms": result.p50_ms,
        "p99_ms": result.p99_ms,
        "server_cpu_cores": round(server_cpu, 2),
        "wrk_cpu_pct": result.wrk_cpu_pct,
        "acknowledged": acknowledged,
        "stored": rows,
        "verified": ok,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="psrm-create", choices=sorted(COUNTS))
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts (default 1,2)")
    parser.add_argument(
        "--processing-delay",
        type=int,
        help="psrm-create: set behandlingstid_sekunder, so PSRM's batch is not due inside the measured calls",
    )
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.workers.split(",")]
    load = os.getloadavg()[0]
    delay = "" if args.processing_delay is None else f" · behandlingstid {args.processing_delay} s"
    started = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    print(f"{started} · nproc {os.cpu_count()} · load {load:.2f} · {args.path}{delay}")
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="tk-pg-bench-") as tmp:
        for round_no in range(1, args.rounds + 1):
            for workers in counts:
                m = measure(args.path, workers, args, Path(tmp)) | {"round": round_no}
                results.append(m)
                verdict = "ok" if m["verified"] else "FAILED"
                print(
                    f"  round {round_no} workers {workers}: {m['rps']:>7} req/s  p50 {m['p50_ms']:.1f} ms  "
                    f"p99 {m['p99_ms']:.1f} ms  server {m['server_cpu_cores']} cores  "
                    f"wrk {m['wrk_cpu_pct']} %  {verdict}: {m['stored']} / {m['acknowledged']} acknowledged",
                    flush=True,
                )
    for round_no in range(1, args.rounds + 1):
        rps = {m["workers"]: m["rps"] for m in results if m["round"] == round_no}
        if 1 in rps and 2 in rps:
            print(f"round {round_no}: 2 workers / 1 worker = {rps[2] / rps[1]:.2f}  (issue 6 aim: ≥ 1.6)")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"pg-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    meta = {"load_at_start": load, "processing_delay": args.processing_delay, "path": args.path}
    out.write_text(json.dumps(meta | {"results": results}, indent=2), encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0 if all(m["verified"] for m in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
