"""Profile a simulator create path in-process: cProfile over N requests through the ASGI interface.

No sockets and no server: each request is handed to the Starlette app as uvicorn would hand it (an HTTP
scope, one body chunk), against a SQLite *file* database, so the profile shows the application's own
work (JSON, contract check, rules, SQLAlchemy, commit, journal) without the HTTP parser and event loop.

    python benchmarks/profile_create.py [--path psrm-create|oir-voucher] [--requests 3000] [--top 25]

Prints the throughput of the in-process loop, the top functions by cumulative and by own (self) time,
and a grouping of own time by area (json, validation, sqlalchemy, sqlite, rules, starlette, …).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.run_http import HEADERS, PATHS, TENANT, TOKEN  # noqa: E402

# Where own time goes, by the file a function lives in (first match wins).
AREAS: tuple[tuple[str, str], ...] = (
    ("sqlite3 (execute, commit)", "{method 'execute' of 'sqlite3"),
    ("sqlite3 (execute, commit)", "{method 'commit' of 'sqlite3"),
    ("sqlite3 (execute, commit)", "sqlite3"),
    ("json (parse, dump)", "json/"),
    ("json (parse, dump)", "_json"),
    ("fastjsonschema (contract check)", "fastjsonschema"),
    ("contract check (testkommune.contracts.schemas)", "contracts/schemas"),
    ("sqlalchemy", "sqlalchemy/"),
    ("starlette", "starlette/"),
    ("simulators", "simulators/"),
    ("testkommune.contracts", "contracts/"),
    ("re (regex)", "re/"),
    ("re (regex)", "{method 'match' of 're.Pattern'"),
    ("re (regex)", "{method 'fullmatch' of 're.Pattern'"),
    ("re (regex)", "{method 'search' of 're.Pattern'"),
    ("datetime/uuid/copy", "copy.py"),
    ("datetime/uuid/copy", "uuid.py"),
)


def _request(path: str, body: bytes, method: str = "POST") -> tuple[dict[str, Any], Callable[[], Any]]:
    headers = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
    headers.append((b"content-length", str(len(body)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8585),
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)  # the client never disconnects during one request
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return scope, receive


async def drive(app: Any, url_path: str, template: str, count: int, offset: int) -> dict[int, int]:
    """Send `count` distinct requests one after another; returns how many got each status."""
    statuses: dict[int, int] = {}
    for n in range(offset, offset + count):
        body = template.replace(TOKEN, f"{n:012x}").encode()
        scope, receive = _request(url_path, body)
        status = await _status_of(app, scope, receive)
        statuses[status] = statuses.get(status, 0) + 1
    return statuses


async def patch_settings(app: Any, settings: dict[str, Any]) -> int:
    """PATCH the benchmark tenant's settings (e.g. PSRM's behandlingstid for psrm-receive)."""
    scope, receive = _request(f"/admin/tenants/{TENANT}/settings", json.dumps(settings).encode(), "PATCH")
    return await _status_of(app, scope, receive)


async def _status_of(app: Any, scope: dict[str, Any], receive: Callable[[], Any]) -> int:
    """Hand one request to the app; the status it answered with."""
    status = 0

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def area_of(location: str) -> str:
    for area, needle in AREAS:
        if needle in location:
            return area
    return "other (builtins, asyncio, …)"


def _print_stats(stats: pstats.Stats, order: str, top: int, restrict: str | None = None) -> None:
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats(order)
    if restrict:
        stats.print_stats(restrict, top)
    else:
        stats.print_stats(top)
    text = out.getvalue()
    print(text[text.index("   ncalls") :].rstrip() if "   ncalls" in text else text)


def main(argv: list[str] | None = None) -> int:
    names = [p.name for p in PATHS if p.server == "kommune"]
    parser = argparse.ArgumentParser(description="cProfile of a simulator create path, in-process.")
    parser.add_argument("--path", choices=names, default="psrm-create")
    parser.add_argument("--requests", type=int, default=3000, help="requests per batch (default 3000)")
    parser.add_argument("--warmup", type=int, default=200, help="unprofiled requests first (default 200)")
    parser.add_argument(
        "--growth",
        type=int,
        default=0,
        help="extra unprofiled batches afterwards, to show rate vs table size",
    )
    parser.add_argument("--top", type=int, default=25, help="rows per table (default 25)")
    parser.add_argument("--dump", type=Path, help="also write the raw pstats file here")
    args = parser.parse_args(argv)
    if not (1 <= args.requests <= 100_000 and 0 <= args.growth <= 20 and 0 <= args.warmup <= 100_000):
        parser.error("--requests 1-100000, --growth 0-20, --warmup 0-100000")

    from testkommune.simulators.app import create_app

    bench = next(p for p in PATHS if p.name == args.path)
    template = bench.body_template("prof")
    offset = 0
    rates: list[tuple[int, float]] = []  # (requests stored before the batch, req/s)

    def batch(loop: asyncio.AbstractEventLoop, app: Any, count: int) -> tuple[float, dict[int, int]]:
        nonlocal offset
        started = time.perf_counter()
        statuses = loop.run_until_complete(drive(app, bench.url_path, template, count, offset))
        offset += count
        return time.perf_counter() - started, statuses

    with tempfile.TemporaryDirectory(prefix="tk-prof-") as tmp:
        app = create_app(f"sqlite:///{Path(tmp) / 'profile.db'}")
        loop = asyncio.new_event_loop()
        try:
            if bench.settings and loop.run_until_complete(patch_settings(app, bench.settings)) != 200:
                raise SystemExit(f"the settings {bench.settings} were refused")
            batch(loop, app, args.warmup)
            before = offset
            cpu_started = time.process_time()
            plain, plain_statuses = batch(loop, app, args.requests)
            cpu_ms = (time.process_time() - cpu_started) * 1000 / args.requests
            rates.append((before, args.requests / plain))
            profiler = cProfile.Profile()
            profiler.enable()
            profiled, statuses = batch(loop, app, args.requests)
            profiler.disable()
            for _ in range(args.growth):
                before = offset
                elapsed, _statuses = batch(loop, app, args.requests)
                rates.append((before, args.requests / elapsed))
        finally:
            loop.close()
            app.state.sim.store.close()

    print(
        f"{args.path}, in-process through the ASGI interface, SQLite file, one tenant:\n"
        f"  without profiler: {args.requests} requests in {plain:.2f} s = {args.requests / plain:.0f} req/s "
        f"(statuses {plain_statuses}); CPU {cpu_ms:.2f} ms per request (wall time depends on the load)\n"
        f"  under cProfile:   {args.requests} requests in {profiled:.2f} s = "
        f"{args.requests / profiled:.0f} req/s (statuses {statuses})"
    )
    if len(rates) > 1:
        print("  rate as the tenant's tables grow (unprofiled batches):")
        for stored, rate in rates:
            print(f"    after {stored:>7} requests: {rate:7.0f} req/s")

    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"\n=== top {args.top} by cumulative time (total {total:.2f} s) ===")
    _print_stats(stats, "cumulative", args.top)
    print(f"\n=== top {args.top} of our own code (simulators, harness) by cumulative time ===")
    _print_stats(stats, "cumulative", args.top, r"/(simulators|harness)/")
    print(f"\n=== top {args.top} by own (self) time ===")
    _print_stats(stats, "tottime", args.top)

    by_area: dict[str, float] = {}
    for (filename, _line, func), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        location = f"{filename}:{func}" if filename != "~" else func
        area = area_of(location)
        by_area[area] = by_area.get(area, 0.0) + tt
    print(f"\n=== own time by area (total {total:.2f} s = 100 %) ===")
    for area, seconds in sorted(by_area.items(), key=lambda kv: -kv[1]):
        print(f"  {100 * seconds / total:5.1f} %  {seconds:6.2f} s  {area}")
    if args.dump:
        stats.dump_stats(args.dump)
        print(f"raw pstats written to {args.dump}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
