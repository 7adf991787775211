"""Sample a real server under load with py-spy: where a simulator path spends its time, HTTP stack included.

Starts the path's server exactly as `run_http.py` does (its own process on core 0, a fresh SQLite file,
a snapshot of the code), loads it with wrk on core 1 (unique bodies), and lets `py-spy record` sample the
server for `--duration` seconds after a warm-up. Prints the functions with the largest share of samples,
inclusive (the function is anywhere on the stack) and self (it is the innermost frame), and writes the raw
collapsed stacks to `benchmarks/results/` (usable with any flame-graph tool).

    pip install py-spy        # once, into the project's virtualenv
    python benchmarks/profile_http.py [--path psrm-create] [--duration 15] [--top 25]

Only 127.0.0.1 is contacted; wrk and py-spy are both bounded by their durations and hard timeouts.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.run_http import (  # noqa: E402
    HOST,
    LOADGEN_CORE,
    MEASURE_PHASE,
    PATHS,
    RESULTS,
    WARMUP_PHASE,
    _free_port,
    lua_script,
    server,
    smoke,
    snapshot,
    source_fingerprint,
)

_LINE = re.compile(r" \((.*):\d+\)$")
ROOT_FRAME = "_run_module_as_main"

# Which part of a request a sample belongs to: the first rule whose frame is on the stack wins.
PHASES: tuple[tuple[str, str], ...] = (
    ("do_commit (sqlalchemy/", "commit (SQLite WAL, synchronous=NORMAL)"),
    (
        "catch_up (simulators/simulation.py)",
        "batch inside the request: PSRM processing of due actions (catch_up)",
    ),
    ("_journal (simulators/routes.py)", "journal insert"),
    ("Simulation.operation (simulators/simulation.py)", "transaction start: tenant, settings, clock"),
    ("_mf_fordring_indberet (simulators/psrm/routes.py)", "the operation: synchronous rules + insert"),
    ("delivery.<locals>.handle (simulators/oir/api.py)", "the operation: synchronous rules + insert"),
    ("_hent_debitorkonto (simulators/debitor/routes.py)", "the operation: synchronous rules + insert"),
    ("check (contracts/schemas.py)", "contract check (fastjsonschema + amounts)"),
    ("read_json (simulators/http.py)", "read + parse the JSON body"),
    ("_endpoint.<locals>.endpoint (simulators/routes.py)", "endpoint, other (answer encoding, faults)"),
    ("bare (", "endpoint (bare: parse + answer)"),
    ("Starlette.__call__ (starlette/applications.py)", "starlette routing and middleware"),
)
OUTSIDE_APP = "uvicorn, httptools, uvloop: outside the application"

# What kind of code the innermost frame is.
LAYERS: tuple[tuple[str, str], ...] = (
    ("DefaultDialect.do_execute (", "SQLite executing statements (C, under do_execute)"),
    ("DefaultDialect.do_commit (", "SQLite commit (C, under do_commit)"),
    ("(sqlalchemy/", "SQLAlchemy Core in Python (statement build, cache key, params, results)"),
    ("(json/", "json encode/decode"),
    ("(simulators/", "simulators code"),
    ("(harness/", "testkommune.contracts code"),
    ("(starlette/", "starlette"),
    ("(uvicorn/", "uvicorn"),
    ("(<string>)", "generated code (fastjsonschema validators, dataclass __init__)"),
)


def _first(frames: list[str], rules: tuple[tuple[str, str], ...], default: str) -> str:
    for needle, label in rules:
        if any(needle in frame for frame in frames):
            return label
    return default


@dataclass
class Profile:
    """py-spy samples summarised: per function (inclusive, self), per request phase, per code layer."""

    total: int = 0
    truncated: int = 0  # stacks that do not reach the interpreter's entry: sampled mid-switch
    inclusive: Counter[str] = field(default_factory=Counter)
    own: Counter[str] = field(default_factory=Counter)
    phases: Counter[str] = field(default_factory=Counter)
    layers: Counter[str] = field(default_factory=Counter)


def summarise(collapsed: str) -> Profile:
    """Fold py-spy's raw collapsed stacks (line numbers dropped) into a Profile."""
    profile = Profile()
    for line in collapsed.splitlines():
        if not line.strip():
            continue
        stack, count_text = line.rsplit(" ", 1)
        count = int(count_text)
        frames = [_LINE.sub(r" (\1)", frame) for frame in stack.split(";")]
        profile.total += count
        for frame in set(frames):
            profile.inclusive[frame] += count
        profile.own[frames[-1]] += count
        if not frames[0].startswith(ROOT_FRAME):
            profile.truncated += count
            profile.phases["(truncated stack: phase unknown)"] += count
        else:
            profile.phases[_first(frames, PHASES, OUTSIDE_APP)] += count
        profile.layers[_first(frames[-1:], LAYERS, "other (stdlib, asyncio, builtins)")] += count
    return profile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="py-spy profile of one path under wrk load.")
    parser.add_argument("--path", choices=[p.name for p in PATHS], default="psrm-create")
    parser.add_argument("--duration", type=int, default=15, help="seconds sampled (default 15)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of load before sampling (default 3)")
    parser.add_argument("--rate", type=int, default=200, help="samples per second (default 200)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--nonblocking", action="store_true", help="sample without pausing the server (less exact stacks)"
    )
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not (1 <= args.duration <= 120 and 0 <= args.warmup <= 60 and 1 <= args.rate <= 1000):
        parser.error("duration 1-120 s, warmup 0-60 s, rate 1-1000")
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists() or shutil.which("wrk") is None:
        parser.error("needs py-spy (pip install py-spy) and wrk (apt-get install -y wrk)")

    path = next(p for p in PATHS if p.name == args.path)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    raw_out = args.out / f"pyspy-{path.name}-{stamp}.collapsed.txt"
    with tempfile.TemporaryDirectory(prefix="tk-spy-") as tmp:
        work = Path(tmp)
        tag = f"s{uuid.uuid4().hex[:6]}"
        script = work / "load.lua"
        script.write_text(lua_script(path, tag), encoding="utf-8")
        port = _free_port()
        url = f"http://{HOST}:{port}{path.url_path}"
        load_seconds = args.warmup + args.duration + 2
        code = snapshot(work)
        fingerprint = source_fingerprint(code)
        with server(path.server, port, work / "state.db", work / "server.log", pin=True, code=code) as proc:
            smoke(path, port, tag)
            wrk = subprocess.Popen(
                ["taskset", "-c", LOADGEN_CORE, "wrk", "-t1", f"-c{args.connections}", f"-d{load_seconds}s",
                 "-s", str(script), url, "--", str(MEASURE_PHASE if args.warmup == 0 else WARMUP_PHASE)],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )  # fmt: skip
            try:
                time.sleep(args.warmup)
                spy = subprocess.run(
                    [py_spy, "record", "-p", str(proc.pid), "-d", str(args.duration), "-r", str(args.rate),
                     "-f", "raw", "-o", str(raw_out), *(["--nonblocking"] if args.nonblocking else [])],
                    capture_output=True,
                    text=True,
                    timeout=args.duration + 60,
                    check=False,
                )  # fmt: skip
                wrk_out, _ = wrk.communicate(timeout=load_seconds + 60)
            finally:
                if wrk.poll() is None:
                    wrk.kill()
                    wrk.wait(timeout=10)
    if spy.returncode != 0 or not raw_out.exists():
        print(spy.stdout, spy.stderr, file=sys.stderr)
        return 1
    profile = summarise(raw_out.read_text(encoding="utf-8"))
    total = profile.total
    rate = next((line for line in wrk_out.splitlines() if line.startswith("Requests/sec")), "?")
    print(
        f"{path.name}: {total} samples over {args.duration} s at {args.rate}/s; wrk {rate.strip()}; "
        f"code snapshot {fingerprint}"
    )
    print(f"\n=== where a request's time goes (phase; {profile.truncated} truncated stacks) ===")
    for phase, count in profile.phases.most_common():
        print(f"  {100 * count / total:5.1f} %  {phase}")
    print("\n=== what kind of code runs (innermost frame) ===")
    for layer, count in profile.layers.most_common():
        print(f"  {100 * count / total:5.1f} %  {layer}")
    print(f"\n=== top {args.top} by inclusive share, below the endpoint (function anywhere on the stack) ===")
    ceiling = profile.inclusive.get("_endpoint.<locals>.endpoint (simulators/routes.py)", total)
    shown = [(f, c) for f, c in profile.inclusive.most_common() if c < ceiling or f.startswith("_endpoint")]
    for frame, count in shown[: args.top]:
        print(f"  {100 * count / total:5.1f} %  {frame}")
    print(f"\n=== top {args.top} by self share (innermost frame) ===")
    for frame, count in profile.own.most_common(args.top):
        print(f"  {100 * count / total:5.1f} %  {frame}")
    print(f"\nraw collapsed stacks: {raw_out.relative_to(ROOT) if raw_out.is_relative_to(ROOT) else raw_out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
