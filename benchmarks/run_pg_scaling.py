"""Scaling of the simulators from one to two worker processes sharing their state in PostgreSQL.

For each worker count a fresh database is created on the local server (127.0.0.1:5432, trust auth), then
`testkommune serve --db postgresql+psycopg://… --workers N` is loaded by wrk with unique bodies (the bodies
of `run_http.py`), stopped, verified (every acknowledged request stored, no refusal, per tenant) and its
database dropped. The servers run a snapshot of the code taken at the start (`--live`: the work tree), so one
run measures one code state while others edit the tree. Nothing is pinned: the workers, PostgreSQL and wrk
share the machine's cores, so the figure says what N workers give on *this* machine, not on idle cores.

With `--tenants K` wrk sends request n of each thread to tenant (n - 1) mod K: `851/bench`, then `101/bench`,
`147/bench`, … (the kommuner in kommunekode order), each body carrying its tenant's fordringshaver-ID (PSRM)
or kommunenummer (ERP). With one tenant PSRM's due batch work is serialised under that tenant's advisory
lock; K tenants, like a month-end run of many kommuner at once, lets the workers do it in parallel.

Over the measured window it prints the cores used by the server processes, by every `postgres*` process, by
wrk, by the rest of the machine, and the machine's idle cores (from /proc), so a reader can see whether a
second worker had a core to scale onto at all.

    python benchmarks/run_pg_scaling.py [--path psrm-create] [--duration 10] [--rounds 2] [--workers 1,2]
                                        [--tenants 1] [--processing-delay SECONDS]

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
from testkommune.simulators.tenancy import Tenant  # noqa: E402

from benchmarks.pg_load import (  # noqa: E402
    answers_per_worker,
    bench_tenants,
    cores_used,
    cpu_snapshot,
    lua_script,
    sent_per_tenant,
    tenant_body,
)
from benchmarks.run_http import (  # noqa: E402
    HEADERS,
    HOST,
    PATHS,
    RESULTS,
    TOKEN,
    BenchPath,
    WrkResult,
    _env,
    _free_port,
    _wait_listening,
    prepare_code,
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


@contextmanager
def served(url: str, workers: int, port: int, log: Path, code: Path) -> Iterator[subprocess.Popen[bytes]]:
    argv = [sys.executable, "-m", "testkommune.harness", "serve", "--port", str(port), "--db", url]
    argv += ["--workers", str(workers), "--log-level", "warning"]
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, cwd=code, env=_env(code), stdout=out, stderr=subprocess.STDOUT)
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


def _settings(port: int, tenant: Tenant, changes: dict[str, Any]) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        body = json.dumps(changes)
        url = f"/admin/tenants/{tenant.key}/settings"
        conn.request("PATCH", url, body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        if response.status != 200:
            raise RuntimeError(f"settings not changed: {response.status} {response.read()[:300]!r}")
        response.read()
    finally:
        conn.close()


def _post(port: int, path: BenchPath, body: str, tenant: Tenant) -> tuple[int, Any]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    headers = HEADERS | {"X-TK-Kommune": tenant.kommune, "X-TK-Anvendersystem": tenant.system}
    try:
        conn.request("POST", path.url_path, body=body.encode(), headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def smoke_tenants(path: BenchPath, port: int, tag: str, tenants: tuple[Tenant, ...]) -> None:
    """The usual smoke requests for the first tenant; one accepted request for each other tenant."""
    smoke(path, port, tag)
    for index, tenant in enumerate(tenants[1:], start=1):
        body = tenant_body(path, tag, tenant).replace(TOKEN, f"f{index:02x}{1:09x}")
        problem = path.smoke_check(*_post(port, path, body, tenant))
        if problem:
            raise RuntimeError(f"{path.name}: smoke request of {tenant.key} was not accepted: {problem}")


def _stored(name: str, path_name: str, tag: str, tenants: tuple[Tenant, ...]) -> dict[str, dict[str, int]]:
    """Rows of the measured phase per tenant, by status."""
    query, prefix = COUNTS[path_name]
    with psycopg.connect(**(PG | {"dbname": name})) as conn:
        return {t.key: dict(conn.execute(query, (t.key, f"{prefix}{tag}-1%")).fetchall()) for t in tenants}


def _verified(
    result: WrkResult, stored: dict[str, dict[str, int]], sent: list[int], connections: int
) -> bool:
    """No error answer, no refusal; every acknowledged request stored (at most the in-flight ones more), and
    per tenant no more rows than it was sent and at most `connections` fewer."""
    acknowledged = result.requests - result.errors["status_errors"]
    total = sum(sum(rows.values()) for rows in stored.values())
    ok = result.errors["status_errors"] == 0 and acknowledged <= total <= acknowledged + connections
    for rows, n in zip(stored.values(), sent, strict=True):
        ok = ok and rows.get("AFVIST", 0) == 0 and n - connections <= sum(rows.values()) <= n
    return ok


def preflight(path_name: str, tenants: tuple[Tenant, ...], work: Path, code: Path) -> str | None:
    """Serve `code` with one worker on a fresh database and send every tenant's smoke requests; what is
    broken (with the server log's tail), or None."""
    path = next(p for p in PATHS if p.name == path_name)
    port, tag = _free_port(), f"pre{uuid.uuid4().hex[:6]}"
    log = work / f"{tag}.log"
    try:
        with database() as name:
            db_url = f"postgresql+psycopg://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
            with served(db_url, 1, port, log, code):
                smoke_tenants(path, port, tag, tenants)
    except (RuntimeError, OSError, KeyError, ValueError) as exc:
        tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
        return f"{str(exc)[:600]}\n{tail}"
    return None


STATS_SETTLE_S = 1.5  # a PostgreSQL backend flushes its statistics at most once a second, and when idle


def _db_stats(name: str) -> dict[str, int]:
    """Sessions opened and transactions ended in one database so far (read from the maintenance database)."""
    query = "SELECT sessions, xact_commit, xact_rollback FROM pg_stat_database WHERE datname = %s"
    with psycopg.connect(**PG) as conn:
        row = conn.execute(query, (name,)).fetchone()
    return dict(zip(("sessions", "commits", "rollbacks"), row or (0, 0, 0), strict=True))


def _window(
    script: Path, url: str, args: argparse.Namespace, server_pid: int, name: str
) -> tuple[WrkResult, dict[str, Any], dict[str, Any]]:
    """Warm up, then the measured load: wrk's result, the cores used, and the database's sessions and
    commits over the window (a pause on each side lets the backends' statistics settle)."""
    common = {"connections": args.connections, "threads": 1, "server_pid": server_pid, "pin": False}
    run_wrk(script, url, phase=0, duration=args.warmup, **common)
    time.sleep(STATS_SETTLE_S)
    stats_before, before, started = _db_stats(name), cpu_snapshot(server_pid, name), time.monotonic()
    result = run_wrk(script, url, phase=1, duration=args.duration, **common)
    after, wall = cpu_snapshot(server_pid, name), time.monotonic() - started
    time.sleep(STATS_SETTLE_S)
    stats_after = _db_stats(name)
    db: dict[str, Any] = {k: stats_after[k] - stats_before[k] for k in stats_before}
    db["commits_per_request"] = round(db["commits"] / result.requests, 2) if result.requests else None
    return result, cores_used(before, after, result.wrk_cpu_s, wall), db


def measure(path_name: str, workers: int, args: argparse.Namespace, work: Path, code: Path) -> dict[str, Any]:
    path = next(p for p in PATHS if p.name == path_name)
    tenants = bench_tenants(args.tenants)
    tag = f"w{workers}{uuid.uuid4().hex[:6]}"
    script = work / f"{tag}.lua"
    script.write_text(lua_script(path, tag, tenants), encoding="utf-8")
    port = _free_port()
    url = f"http://{HOST}:{port}{path.url_path}"
    with database() as name:
        db_url = f"postgresql+psycopg://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
        with served(db_url, workers, port, work / f"{tag}.log", code) as proc:
            smoke_tenants(path, port, tag, tenants)
            if args.processing_delay is not None:
                for tenant in tenants:
                    _settings(port, tenant, {"psrm": {"behandlingstid_sekunder": args.processing_delay}})
            result, cores, db = _window(script, url, args, proc.pid, name)
        stored = _stored(name, path_name, tag, tenants)
    sent = sent_per_tenant(result.raw["stdout"], len(tenants))
    totals: dict[str, int] = {}
    for rows in stored.values():
        for status, n in rows.items():
            totals[status] = totals.get(status, 0) + n
    return {
        "path": path_name,
        "workers": workers,
        "tenants": len(tenants),
        "rps": result.rps,
        "p50_ms": result.p50_ms,
        "p99_ms": result.p99_ms,
        "server_cpu_cores": cores["servers"],
        "cores": cores,
        "db": db,
        "wrk_cpu_pct": result.wrk_cpu_pct,
        "acknowledged": result.requests - result.errors["status_errors"],
        "errors": result.errors,
        "answers_per_worker": answers_per_worker(result.raw["stdout"]),
        "stored": totals,
        "per_tenant": {
            t: {"sent": n, "stored": rows} for (t, rows), n in zip(stored.items(), sent, strict=True)
        },
        "verified": _verified(result, stored, sent, args.connections),
    }


def _cores_text(c: dict[str, Any]) -> str:
    """servers (per worker) / postgres (this database's backends still open at the end) / wrk / other
    [busiest commands, irq] / machine idle."""
    busy = [f"{v:.2f}" for v in c["per_server"].values() if v >= 0.01]  # the supervisor idles
    split = f" ({' + '.join(busy)})" if len(busy) > 1 else ""
    named = [f"{comm} {cores:.2f}" for comm, cores in c["other_top"].items()] + [f"irq {c['irq']:.2f}"]
    return (
        f"cores servers {c['servers']:.2f}{split} / postgres {c['postgres']:.2f} "
        f"(this db's lasting backends {c['postgres_bench_db']:.2f}) / wrk {c['wrk']:.2f} / "
        f"other {c['other']:.2f} [{', '.join(named)}] / machine idle {c['machine_idle']:.2f} "
        f"of {c['machine_cores']:.1f}"
    )


def summary(m: dict[str, Any]) -> str:
    """One line per measurement: load, latency, where the cores went, and the verification."""
    verdict = "ok" if m["verified"] else "FAILED"
    answers = sorted(m["answers_per_worker"].values(), reverse=True)
    split = f" · answers by worker {' + '.join(map(str, answers))}" if len(answers) > 1 else ""
    return (
        f"  round {m['round']} · workers {m['workers']} · tenants {m['tenants']} · {m['rps']:>6} req/s · "
        f"p50 {m['p50_ms']:.1f} ms · p99 {m['p99_ms']:.1f} ms{split} · {_cores_text(m['cores'])} · "
        f"db sessions opened {m['db']['sessions']}, commits/request {m['db']['commits_per_request']} · "
        f"{verdict}: {sum(m['stored'].values())} stored {m['stored']} for {m['acknowledged']} acknowledged"
    )


def _per_core(m: dict[str, Any]) -> float:
    """Requests per second per core the servers and PostgreSQL used: less sensitive to neighbours (but
    PostgreSQL's figure includes other databases' backends, if others use the server meanwhile)."""
    used = m["cores"]["servers"] + m["cores"]["postgres"]
    return m["rps"] / used if used else 0.0


def ratio_line(round_results: list[dict[str, Any]], tenants: int) -> str | None:
    """2 workers / 1 worker, with what the machine left them: a ratio without a spare core says little."""
    by_workers = {m["workers"]: m for m in round_results}
    if 1 not in by_workers or 2 not in by_workers:
        return None
    one, two = by_workers[1], by_workers[2]
    line = (
        f"round {one['round']}, {tenants} tenant(s): 2 workers / 1 worker = {two['rps'] / one['rps']:.2f} "
        f"(aim ≥ 1.6); req/s per core of servers + postgres {_per_core(one):.0f} → "
        f"{_per_core(two):.0f}; machine idle {one['cores']['machine_idle']:.2f} → "
        f"{two['cores']['machine_idle']:.2f} cores, other processes {one['cores']['other']:.2f} → "
        f"{two['cores']['other']:.2f}"
    )
    if two["cores"]["machine_idle"] < 0.5:
        line += " · the second worker had no spare core: this ratio does not measure the design"
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="psrm-create", choices=sorted(COUNTS))
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts (default 1,2)")
    parser.add_argument(
        "--tenants", type=int, default=1, help="spread the requests round-robin over K tenants (default 1)"
    )
    parser.add_argument(
        "--processing-delay",
        type=int,
        help="psrm-create: set behandlingstid_sekunder, so PSRM's batch is not due inside the measured calls",
    )
    parser.add_argument("--live", action="store_true", help="serve the work tree itself, not a snapshot")
    parser.add_argument("--snapshot-retries", type=int, default=3)
    args = parser.parse_args(argv)
    try:
        bench_tenants(args.tenants)
    except ValueError as exc:
        parser.error(str(exc))
    counts = [int(n) for n in args.workers.split(",")]
    load = os.getloadavg()[0]
    delay = "" if args.processing_delay is None else f" · behandlingstid {args.processing_delay} s"
    started = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    tenants = f" · {args.tenants} tenants" if args.tenants > 1 else " · 1 tenant"
    print(f"{started} · nproc {os.cpu_count()} · load {load:.2f} · {args.path}{tenants}{delay}")
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="tk-pg-bench-") as tmp:
        tenants = bench_tenants(args.tenants)
        code = prepare_code(args, Path(tmp), lambda code: preflight(args.path, tenants, Path(tmp), code))
        for round_no in range(1, args.rounds + 1):
            for workers in counts:
                m = measure(args.path, workers, args, Path(tmp), code) | {"round": round_no}
                results.append(m)
                print(summary(m), flush=True)
    for round_no in range(1, args.rounds + 1):
        line = ratio_line([m for m in results if m["round"] == round_no], args.tenants)
        if line:
            print(line)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"pg-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    meta = {
        "load_at_start": load,
        "processing_delay": args.processing_delay,
        "path": args.path,
        "tenants": args.tenants,
    }
    out.write_text(json.dumps(meta | {"results": results}, indent=2), encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0 if all(m["verified"] for m in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
