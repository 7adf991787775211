"""CPU cost of one request, in-process: what a lever saves, measured without the wall clock.

The machine these benchmarks run on is shared, so requests per second over the wire move with the load
of others. This script hands N requests to the ASGI app as uvicorn would (no sockets), `--connections`
of them in flight at once like wrk's connections (so the group commit and the batch catch-up share their
work as under load), against a SQLite *file* database, and reports per request:

- CPU µs: `time.process_time()` over the measured requests (the process's own CPU, not wall time);
- SQL statements and COMMITs, counted by SQLite's trace callback on every connection;
- with `--instructions`: instructions per request, counted by valgrind's callgrind (nearly deterministic,
  whatever else the machine runs): the script runs itself under callgrind with instrumentation off, turns
  it on (`callgrind_control -i on`) for the measured requests only and off again, so start-up, imports and
  the warm-up are not counted.

    python benchmarks/cost_per_request.py [--path psrm-create] [--requests 3000] [--instructions] [--profile]

`--profile` also runs the measured requests once more under cProfile and prints where the own time goes,
by area (`profile_create.AREAS`) and by the request's phases (cumulative time of their functions).

`--without PART` (repeatable) measures the same requests with one part of the work taken out (`WITHOUT`):
the difference is exactly what that part costs, so it bounds what any lever on it can save. The answers
stay 2xx; nothing is checked or stored by the parts taken out, so these figures are for this script only.
`--path bare` measures `bare_app.py`'s endpoint the same way: the floor of the server stack itself.

Every answer must be the path's success (the script exits 1 otherwise).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.profile_create import _request, _status_of, area_of, patch_settings  # noqa: E402
from benchmarks.run_http import PATHS, TOKEN  # noqa: E402

_COLLECTED = re.compile(r"Collected : (\d+)")


class StatementCounter:
    """SQLite's trace callback on every connection the engine opens: statements and COMMITs run."""

    def __init__(self) -> None:
        self.statements = 0
        self.commits = 0
        self.counting = False

    def trace(self, sql: str) -> None:
        if self.counting:
            self.statements += 1
            if sql.lstrip()[:6].upper() == "COMMIT":
                self.commits += 1

    def install(self) -> None:
        import sqlalchemy as sa
        from sqlalchemy.engine import Engine

        def _connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.set_trace_callback(self.trace)

        sa.event.listen(Engine, "connect", _connect)


async def _one(app: Any, path: str, body: bytes, answers: dict[int, int]) -> None:
    status = await _status_of(app, *_request(path, body))
    answers[status] = answers.get(status, 0) + 1


async def drive(
    app: Any, path: str, template: str, count: int, offset: int, connections: int
) -> dict[int, int]:
    """`count` distinct requests, `connections` at a time (each connection sends its next request as soon
    as its answer is in, as wrk does); how many got each status."""
    answers: dict[int, int] = {}
    numbers = iter(range(offset, offset + count))

    async def connection() -> None:
        for n in numbers:
            await _one(app, path, template.replace(TOKEN, f"{n:012x}").encode(), answers)

    await asyncio.gather(*(connection() for _ in range(connections)))
    return answers


PHASES = (
    ("routes.py", "answer", "the endpoint (all below)"),
    ("routes.py", "_handle", "  contract check + the call's transaction"),
    ("schemas.py", "check", "    contract check"),
    ("simulation.py", "operation", "    opening statement + due batch work"),
    ("simulation.py", "catch_up", "      due batch work (catch_up)"),
    ("routes.py", "_journal", "    journal"),
    ("http.py", "read_json_text", "  body read + JSON parse"),
)


def _print_profile(profiler: Any, requests: int) -> None:
    import pstats

    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    by_area: dict[str, float] = {}
    cumulative: dict[tuple[str, str], float] = {}
    for (filename, _line, func), (_cc, _nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        area = area_of(f"{filename}:{func}" if filename != "~" else func)
        by_area[area] = by_area.get(area, 0.0) + tt
        key = (Path(filename).name, func)
        cumulative[key] = max(cumulative.get(key, 0.0), ct)
    print(f"  own time by area under cProfile (total {total:.2f} s = 100 %):")
    for area, seconds in sorted(by_area.items(), key=lambda kv: -kv[1]):
        print(f"    {100 * seconds / total:5.1f} %  {area}")
    print("  phases (cumulative time):")
    for filename, func, label in PHASES:
        seconds = cumulative.get((filename, func), 0.0)
        print(f"    {100 * seconds / total:5.1f} %  {label}")


def _no_check(self: Any, message: Any) -> list[Any]:
    return []


def _no_journal(*args: Any, **kwargs: Any) -> None:
    return None


def _no_batch(*args: Any, **kwargs: Any) -> bool:
    return False


async def _passed_through(self: Any, scope: Any, receive: Any, send: Any) -> None:
    await self.app(scope, receive, send)


WITHOUT: dict[str, tuple[str, str, Any]] = {
    "check": ("testkommune.contracts.schemas", "Contract.check", _no_check),
    "journal": ("testkommune.simulators.routes", "journal", _no_journal),
    "batch": ("testkommune.simulators.simulation", "catch_up", _no_batch),
    "soap": ("testkommune.simulators.soap.binding", "SoapBinding.__call__", _passed_through),
    "legacy": ("testkommune.simulators.legacy_shapes", "LegacyShapes.__call__", _passed_through),
}
"""A part of a request's work and how it is taken out: (module, attribute, stand-in). `check`: the contract
check; `journal`: the journal entry; `batch`: the due batch work (PSRM's entry filter and booking);
`soap`, `legacy`: the SOAP binding and the old-shape translation, which a JSON call passes through."""


def take_out(parts: list[str]) -> None:
    import importlib

    for part in parts:
        module_name, attribute, stand_in = WITHOUT[part]
        owner: Any = importlib.import_module(module_name)
        *outer, name = attribute.split(".")
        for step in outer:
            owner = getattr(owner, step)
        setattr(owner, name, stand_in)


def _bare_app() -> Any:
    import bare_app

    return bare_app.app


def measure(
    path_name: str,
    requests: int,
    warmup: int,
    connections: int,
    profile: bool = False,
    without: list[str] | None = None,
) -> dict[str, Any]:
    counter = StatementCounter()
    counter.install()
    from testkommune.simulators.app import create_app

    take_out(without or [])
    bench = next(p for p in PATHS if p.name == path_name)
    template = bench.body_template("cost")
    with tempfile.TemporaryDirectory(prefix="tk-cost-") as tmp:
        app = _bare_app() if bench.server == "bare" else create_app(f"sqlite:///{Path(tmp) / 'cost.db'}")
        loop = asyncio.new_event_loop()
        try:
            if bench.settings and loop.run_until_complete(patch_settings(app, bench.settings)) != 200:
                raise SystemExit(f"the settings {bench.settings} were refused")
            loop.run_until_complete(drive(app, bench.url_path, template, warmup, 0, connections))
            counter.counting = True
            _instrument("on")
            started = time.process_time()
            answers = loop.run_until_complete(
                drive(app, bench.url_path, template, requests, warmup, connections)
            )
            cpu = time.process_time() - started
            _instrument("off")
            counter.counting = False
            if profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
                loop.run_until_complete(
                    drive(app, bench.url_path, template, requests, warmup + requests, connections)
                )
                profiler.disable()
                _print_profile(profiler, requests)
        finally:
            loop.close()
            if bench.server != "bare":
                app.state.sim.store.close()
    return {
        "path": path_name,
        "requests": requests,
        "connections": connections,
        "answers": answers,
        "cpu_us": cpu * 1e6 / requests,
        "statements": counter.statements / requests,
        "commits": counter.commits / requests,
    }


def _instrument(state: str) -> None:
    """Under `instructions()`: turn callgrind's instrumentation of this process on or off. The command
    runs from a thread this process waits for while blocked (vgdb wakes it), so next to nothing of this
    process's own work is counted on either side."""
    if os.environ.get(_UNDER_CALLGRIND) != "1":
        return
    done: list[subprocess.CompletedProcess[str]] = []
    command = ["callgrind_control", "-i", state, str(os.getpid())]

    def control() -> None:
        done.append(subprocess.run(command, capture_output=True, text=True, timeout=120, check=False))

    thread = threading.Thread(target=control)
    thread.start()
    thread.join()
    if not done or done[0].returncode != 0:
        raise SystemExit(f"callgrind_control -i {state} failed: {done[0].stderr if done else 'timeout'}")


_UNDER_CALLGRIND = "TK_COST_UNDER_CALLGRIND"


def instructions(
    path_name: str, requests: int, warmup: int, connections: int, without: list[str] | None = None
) -> float:
    """Instructions per request of the measured requests, counted by callgrind (see `_instrument`)."""
    valgrind = shutil.which("valgrind")
    if valgrind is None or shutil.which("callgrind_control") is None:
        raise SystemExit("--instructions needs valgrind and callgrind_control (apt-get install valgrind)")
    with tempfile.TemporaryDirectory(prefix="tk-callgrind-") as tmp:
        command = [
            valgrind,
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={tmp}/callgrind.out.%p",
            sys.executable,
            __file__,
            "--path",
            path_name,
            "--requests",
            str(requests),
            "--warmup",
            str(warmup),
            "--connections",
            str(connections),
            *(f"--without={part}" for part in without or []),
        ]
        env = os.environ | {_UNDER_CALLGRIND: "1"}
        done = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False, env=env)
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"callgrind failed ({done.returncode}): {done.stderr[-2000:]}")
    return int(found.group(1)) / requests


def main(argv: list[str] | None = None) -> int:
    names = [p.name for p in PATHS if p.server in ("kommune", "bare")]
    parser = argparse.ArgumentParser(description="CPU cost per request, in-process, through the ASGI app.")
    parser.add_argument("--path", choices=names, action="append", help="repeatable (default psrm-create)")
    parser.add_argument("--requests", type=int, default=3000, help="measured requests (default 3000)")
    parser.add_argument("--warmup", type=int, default=300, help="unmeasured requests first (default 300)")
    parser.add_argument("--connections", type=int, default=32, help="requests in flight (default 32)")
    parser.add_argument("--instructions", action="store_true", help="also count instructions (callgrind)")
    parser.add_argument("--json", action="store_true", help="print one JSON line per path")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile breakdown")
    parser.add_argument(
        "--without", choices=sorted(WITHOUT), action="append", help="take this part out (repeatable)"
    )
    args = parser.parse_args(argv)
    if not (1 <= args.requests <= 100_000 and 0 <= args.warmup <= 100_000 and 1 <= args.connections <= 256):
        parser.error("--requests 1-100000, --warmup 0-100000, --connections 1-256")
    ok = True
    for name in args.path or ["psrm-create"]:
        result = measure(name, args.requests, args.warmup, args.connections, args.profile, args.without)
        expected = next(p.expect_status for p in PATHS if p.name == name)
        ok = ok and set(result["answers"]) == {expected}
        if args.instructions:
            result["instructions"] = instructions(
                name, args.requests, args.warmup, args.connections, args.without
            )
        if args.json:
            print(json.dumps(result))
            continue
        label = name + "".join(f" -{part}" for part in args.without or [])
        line = (
            f"{label:12} {result['cpu_us']:8.0f} CPU µs/request  {result['statements']:5.2f} SQL statements"
            f"  {result['commits']:5.3f} COMMITs/request  answers {result['answers']}"
        )
        if args.instructions:
            line += f"  {result['instructions'] / 1e6:6.3f} M instructions/request"
        print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
