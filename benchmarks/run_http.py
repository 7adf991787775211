"""HTTP throughput of the test kommune against a bare endpoint, measured in one run on one server stack.

Each path is served by its own server process pinned to core 0 (`taskset -c 0`) and loaded by `wrk` pinned
to core 1, with a Lua script that makes every request body unique (distinct TransaktionsID, MFAktionID,
MFLeveranceID, references), so the simulators take their real create path and never the replay/AFVIST-600
one. Paths, in the order they run in each round:

- bare:        `POST /bare` of `benchmarks/bare_app.py`: parse JSON, answer 201 (no validation, no DB).
- wiremock, prism: the anchors (benchmarks/anchors.py): WireMock with a stub matching the contract's JSON
               Schema and Prism mocking an OpenAPI 3.1 document generated from it, same body, same core;
               skipped with a clear line when not installed. Every path's ratio to them is printed.
- psrm-create: `POST /psrm/MFFordringIndberet`: contract check, PSRM's synchronous rules, an insert and a
               commit to a SQLite file, the journal; PSRM's batch (due at once: behandlingstid 0) runs in the
               next call's transaction, as it does in the simulator.
- psrm-receive: the same call with the batch due a day later on the simulated clock: only the synchronous
               answer (contract, sync rules, durable write → MODTAGET) is measured.
- oir-voucher: `POST /service/OIR/DebitorRegistreringAfsend/1/OpretDebitorkonto`: contract check, ØiR's
               delivery guarantee, the debitor system's stamdata rules, account + claim + delivery rows.

After every run the server is stopped and its SQLite file is read: every acknowledged (2xx) request of the
measured phase must have left its rows, or the run is marked FAILED (exit code 1).

    python benchmarks/run_http.py [--duration 15] [--rounds 2] [--warmup 3] [--connections 32]

Only 127.0.0.1 is ever contacted; every load is bounded by wrk's duration and a hard timeout.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import anchors  # noqa: E402

from tests.erp_messages import STRAKS, finansbilag, modtag  # noqa: E402
from tests.messages import fordring, opret, psrm_leverance  # noqa: E402

HOST = "127.0.0.1"
KOMMUNE = "851"
SYSTEM = "bench"
TENANT = f"{KOMMUNE}/{SYSTEM}"
HEADERS = {"Content-Type": "application/json", "X-TK-Kommune": KOMMUNE, "X-TK-Anvendersystem": SYSTEM}
TOKEN = "@@N@@"  # replaced per request by wrk with 12 hex digits: phase (1), wrk thread (2), counter (9)
WARMUP_PHASE, MEASURE_PHASE = 0, 1
SERVER_CORE, LOADGEN_CORE = "0", "1"
RESULTS = Path(__file__).resolve().parent / "results"
NOT_MEASURED: dict[str, str] = {}


# --------------------------------------------------------------------------------------------- the paths


@dataclass(frozen=True)
class BenchPath:
    """One measured endpoint: how to serve it, the body template, and how to count what it stored."""

    name: str
    server: str  # "bare", "kommune", or an anchor: "wiremock", "prism"
    url_path: str
    body_template: Callable[[str], str]  # run tag → JSON text with TOKEN where each request's id goes
    stored: Callable[[sqlite3.Connection, str], dict[str, int]] | None  # rows of the measured phase
    expect_status: int
    smoke_check: Callable[[int, Any], str | None]  # (status, answer) → what is wrong, or None
    settings: dict[str, Any] | None = None  # PATCHed into the tenant's settings after the smoke requests


def _uuid_with_token() -> str:
    """A v4-shaped UUID whose last group (12 hex digits) is the per-request token."""
    return str(uuid.uuid4())[:24] + TOKEN


def _psrm_body(tag: str) -> str:
    message = psrm_leverance(leverance=f"L-{tag}-{TOKEN}", aktion=f"A-{tag}-{TOKEN}")
    message["Kontekst"]["HovedOplysninger"]["TransaktionsID"] = _uuid_with_token()
    return json.dumps(message, ensure_ascii=False)


def _oir_body(tag: str) -> str:
    message = opret(fordring(ref=f"F-{tag}-{TOKEN}"), account=f"K-{tag}-{TOKEN}")
    message["Hovedoplysninger"]["TransaktionsID"] = _uuid_with_token()
    return json.dumps(message, ensure_ascii=False)


def _erp_body(tag: str) -> str:
    """SF1590_A ModtagFinansbilag (straks): one balanced bilag, booked on the day it is sent."""
    bilag = finansbilag(bilag_id=f"B-{tag}-{TOKEN}", bogfoeringsdato=datetime.now(UTC).date().isoformat())
    message = modtag(bilag)
    message["Hovedoplysninger"]["TransaktionsID"] = _uuid_with_token()
    return json.dumps(message, ensure_ascii=False)


def _erp_stored(db: sqlite3.Connection, like: str) -> dict[str, int]:
    rows = db.execute(
        "SELECT status, count(*) FROM erp_bilag WHERE tenant = ? AND bilag_id LIKE ? GROUP BY status",
        (TENANT, f"B-{like}%"),
    ).fetchall()
    by_status = {f"bilag_{status}": n for status, n in rows}
    lines = db.execute(
        "SELECT count(*) FROM erp_posteringer p JOIN erp_bilag b ON p.bilag_row = b.id "
        "WHERE b.tenant = ? AND b.bilag_id LIKE ?",
        (TENANT, f"B-{like}%"),
    ).fetchone()[0]
    return {"stored": sum(by_status.values()), **by_status, "posteringer": lines}


def _erp_ok(status: int, answer: Any) -> str | None:
    try:
        verdict = answer["Forretningskvittering"]["Status"]
    except (KeyError, TypeError):
        return f"{status} {answer}"
    return None if status == 200 and verdict == "GODKENDT" else f"{status} {answer['Forretningskvittering']}"


def _psrm_stored(db: sqlite3.Connection, like: str) -> dict[str, int]:
    rows = db.execute(
        "SELECT status, count(*) FROM psrm_actions WHERE tenant = ? AND aktion_id LIKE ? GROUP BY status",
        (TENANT, f"A-{like}%"),
    ).fetchall()
    by_status = {f"actions_{status}": n for status, n in rows}
    claims = db.execute(
        "SELECT count(*) FROM psrm_claims WHERE tenant = ? AND aktion_id LIKE ?", (TENANT, f"A-{like}%")
    ).fetchone()[0]
    return {"stored": sum(by_status.values()), **by_status, "psrm_claims": claims}


def _oir_stored(db: sqlite3.Connection, like: str) -> dict[str, int]:
    claims = db.execute(
        "SELECT count(*) FROM debitor_claims WHERE tenant = ? AND reference LIKE ?", (TENANT, f"F-{like}%")
    ).fetchone()[0]
    accounts = db.execute(
        "SELECT count(*) FROM debitor_accounts WHERE tenant = ? AND reference LIKE ?", (TENANT, f"K-{like}%")
    ).fetchone()[0]
    phase = like.rsplit("-", 1)[1]  # the token's first hex digit; it sits at offset 25 of a TransaktionsID
    deliveries = db.execute(
        "SELECT count(*) FROM deliveries WHERE tenant = ? AND service = ? AND substr(message_id, 25, 1) = ?",
        (TENANT, "DebitorRegistreringAfsend.OpretDebitorkonto", phase),
    ).fetchone()[0]
    return {
        "stored": min(claims, accounts, deliveries),
        "claims": claims,
        "accounts": accounts,
        "deliveries": deliveries,
    }


def _bare_ok(status: int, answer: Any) -> str | None:
    return None if status == 201 and answer.get("status") == "MODTAGET" else f"{status} {answer}"


def _psrm_ok(status: int, answer: Any) -> str | None:
    try:
        action = answer["FordringInfo"]["FordringAktionStatusSamling"]["MFAktionStruktur"][0]
    except (KeyError, IndexError, TypeError):
        return f"{status} {answer}"
    return None if status == 200 and action["MFAktionStatusKode"] == "MODTAGET" else f"{status} {action}"


def _oir_ok(status: int, answer: Any) -> str | None:
    try:
        verdict = answer["Forretningskvittering"]["Status"]
    except (KeyError, TypeError):
        return f"{status} {answer}"
    return None if status == 200 and verdict == "GODKENDT" else f"{status} {answer['Forretningskvittering']}"


def _anchor_ok(status: int, answer: Any) -> str | None:
    return None if status == 200 else f"{status} {answer}"


ANCHORS = ("wiremock", "prism")

PATHS: tuple[BenchPath, ...] = (
    BenchPath("bare", "bare", "/bare", _psrm_body, None, 201, _bare_ok),
    # the stubs a vendor would use instead, on the same contract and body (benchmarks/anchors.py)
    BenchPath("wiremock", "wiremock", anchors.URL_PATH, _psrm_body, None, 200, _anchor_ok),
    BenchPath("prism", "prism", anchors.URL_PATH, _psrm_body, None, 200, _anchor_ok),
    BenchPath("psrm-create", "kommune", "/psrm/MFFordringIndberet", _psrm_body, _psrm_stored, 200, _psrm_ok),
    # the synchronous answer alone (contract, PSRM's sync checks, durable write → MODTAGET): the batch that
    # books the claim (entry filter, events) is due a day later on the simulated clock, so it never runs
    BenchPath(
        "psrm-receive",
        "kommune",
        "/psrm/MFFordringIndberet",
        _psrm_body,
        _psrm_stored,
        200,
        _psrm_ok,
        {"psrm": {"behandlingstid_sekunder": 86_400}},
    ),
    BenchPath(
        "oir-voucher",
        "kommune",
        "/service/OIR/DebitorRegistreringAfsend/1/OpretDebitorkonto",
        _oir_body,
        _oir_stored,
        200,
        _oir_ok,
    ),
    BenchPath("erp-voucher", "kommune", STRAKS, _erp_body, _erp_stored, 200, _erp_ok),
)


# --------------------------------------------------------------------------------------- wrk and its script

LUA_REPORT = r"""  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, ' ..
    '"read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))"""
"""The end of wrk's done(): the figures of a run as one BENCH_JSON line (needs `e = summary.errors`)."""

LUA = r"""
local parts = { %(parts)s }
local path = %(path)s
local headers = { %(headers)s }
local phase = 0
local pause_ms = 0
local tid = 0
local n = 0
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  phase = tonumber(args[1]) or 0
  pause_ms = tonumber(args[2]) or 0
  tid = tonumber(wrk.thread:get("tid")) or 0
end

function request()
  n = n + 1
  local id = string.format("%%x%%02x%%09x", phase, tid, n)
  local buf = {}
  for i = 1, #parts - 1 do
    buf[#buf + 1] = parts[i]
    buf[#buf + 1] = id
  end
  buf[#buf + 1] = parts[#parts]
  return wrk.format("POST", path, headers, table.concat(buf))
end

function delay()
  if pause_ms <= 0 then
    return 0
  end
  return math.random(0, 2 * pause_ms)  -- the same mean, connections out of step (no bursts of 32)
end

function done(summary, latency, requests)
  local e = summary.errors
%(report)s
end
"""


def _lua_string(text: str) -> str:
    level = "=" * 3
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


def lua_script(path: BenchPath, tag: str) -> str:
    """The wrk script for one path: each request gets `phase|thread|counter` where the template says TOKEN."""
    parts = path.body_template(tag).split(TOKEN)
    headers = ", ".join(f'["{k}"] = "{v}"' for k, v in HEADERS.items())
    return LUA % {
        "parts": ", ".join(_lua_string(p) for p in parts),
        "path": _lua_string(path.url_path),
        "headers": headers,
        "report": LUA_REPORT,
    }


@dataclass
class WrkResult:
    """What one wrk run reported, plus what the load generator and the server cost in CPU."""

    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    errors: dict[str, int]
    wrk_cpu_s: float
    wrk_cpu_pct: float  # of one core, over wrk's wall time
    server_cpu_pct: float  # of one core, over the same interval
    raw: dict[str, Any] = field(repr=False)


def _pinned(core: str, argv: list[str], pin: bool) -> list[str]:
    return ["taskset", "-c", core, *argv] if pin else argv


def _proc_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_wrk(
    script: Path,
    url: str,
    *,
    phase: int,
    duration: int,
    connections: int,
    threads: int,
    server_pid: int,
    pin: bool,
    pause_ms: int = 0,
) -> WrkResult:
    """Run wrk once (bounded by -d and a hard timeout) and parse the numbers its Lua `done()` printed.

    `pause_ms` > 0 makes each connection wait a random 0..2 × pause_ms before its next request (wrk's
    `delay()`), which holds the offered load near connections × 1000 / pause_ms requests per second without
    the connections falling into step."""
    argv = _pinned(
        LOADGEN_CORE,
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "5s",
            "-s",
            str(script),
            url,
            "--",
            str(phase),
            str(pause_ms),
        ],
        pin,
    )
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = _proc_cpu_s(server_pid)
    started = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60, check=False)
    wall = time.monotonic() - started
    server_cpu = _proc_cpu_s(server_pid) - server_before
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (after_children.ru_utime - before_children.ru_utime) + (
        after_children.ru_stime - before_children.ru_stime
    )
    match = re.search(r"^BENCH_JSON (.*)$", proc.stdout, re.MULTILINE)
    if proc.returncode != 0 or match is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stdout}\n{proc.stderr}")
    raw = json.loads(match.group(1))
    duration_s = raw["duration_us"] / 1e6
    return WrkResult(
        requests=raw["requests"],
        duration_s=round(duration_s, 3),
        rps=round(raw["requests"] / duration_s, 1),
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        mean_ms=round(raw["mean_us"] / 1000, 3),
        errors={
            k: raw[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
        },
        wrk_cpu_s=round(wrk_cpu, 2),
        wrk_cpu_pct=round(100 * wrk_cpu / wall, 1),
        server_cpu_pct=round(100 * server_cpu / wall, 1),
        raw=raw | {"stdout": proc.stdout},
    )


# ------------------------------------------------------------------------------------------------ servers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _post(port: int, path: str, body: str, timeout: float = 10) -> tuple[int, Any]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("POST", path, body=body.encode(), headers=HEADERS)
        response = conn.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw or b"null")
        except ValueError:  # a stub's plain-text refusal (WireMock's 404 "Request was not matched")
            return response.status, raw.decode(errors="replace")[:500]
    finally:
        conn.close()


def _wait_listening(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {log.read_text()[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"server did not listen on {port} within {timeout}s: {log.read_text()[-2000:]}")


SNAPSHOT_FOLDERS = ("simulators", "harness", "contracts", "scenarios")


def _env(code: Path) -> dict[str, str]:
    return os.environ | {"PYTHONPATH": str(code), "PYTHONDONTWRITEBYTECODE": "1"}


def snapshot(dest: Path) -> Path:
    """Copy the code the servers run, so one run measures one code state while others edit the tree.

    The copy is laid out as the installed namespace (`code/testkommune/<folder>`) and comes first on
    PYTHONPATH (the editable install's finder is consulted only after it); a check that the simulators
    really import from the copy guards that."""
    code = dest / "code"
    for folder in SNAPSHOT_FOLDERS:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(ROOT / folder, code / "testkommune" / folder, ignore=ignore)
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import testkommune.simulators.app as app, testkommune.harness; print(app.__file__)",
        ],
        cwd=code,
        env=_env(code),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if probe.returncode != 0 or not probe.stdout.strip().startswith(str(code)):
        raise RuntimeError(f"the snapshot does not import cleanly: {probe.stdout}{probe.stderr[-3000:]}")
    return code


@contextlib.contextmanager
def server(
    kind: str, port: int, db: Path, log: Path, pin: bool, code: Path = ROOT
) -> Iterator[subprocess.Popen[bytes]]:
    """Start one server process pinned to core 0, importing the project from `code` (the work tree or a
    snapshot of it); stop it (SIGTERM, then SIGKILL) when done."""
    if kind == "bare":
        argv = [sys.executable, str(Path(__file__).with_name("bare_app.py")), "--port", str(port)]
    elif kind in ANCHORS:
        anchor_argv = anchors.argv(kind, port, log.parent / f"{log.stem}-{kind}")
        if anchor_argv is None:
            raise RuntimeError(anchors.missing(kind))
        argv = anchor_argv
    else:
        argv = [
            sys.executable,
            "-m",
            "testkommune.harness",
            "serve",
            "--port",
            str(port),
            "--db",
            str(db),
            "--log-level",
            "warning",
        ]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            _pinned(SERVER_CORE, argv, pin), cwd=code, env=_env(code), stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait_listening(port, proc, log)
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


# -------------------------------------------------------------------------------------------------- a run


@dataclass
class Measurement:
    """One path in one round: wrk's figures and what the store holds afterwards."""

    path: str
    round: int
    result: WrkResult
    stored: dict[str, int] | None
    acknowledged: int
    verified: bool
    verdict: str
    levels: dict[str, dict[str, float]] = field(default_factory=dict)  # "25%" → rps, p50_ms, p99_ms


def smoke(path: BenchPath, port: int, tag: str) -> None:
    """Two requests before any load: both must be accepted, and for PSRM the first must be booked
    (UDFOERT) by the batch that runs inside the second call, so a broken path fails before it is timed."""
    template = path.body_template(tag)
    for n in (1, 2):
        status, answer = _post(port, path.url_path, template.replace(TOKEN, f"f{n:011x}"))
        problem = path.smoke_check(status, answer)
        if problem:
            raise RuntimeError(f"{path.name}: smoke request {n} was not accepted: {problem}")
    if path.server in ANCHORS:  # a schema-matching stub must refuse a body that breaks the contract
        broken = json.loads(template.replace(TOKEN, "f0000000000f"))
        broken["MFLeveranceID"] = 5
        status, _ = _post(port, path.url_path, json.dumps(broken))
        if status == 200:
            raise RuntimeError(f"{path.name}: accepted a body that breaks the contract: not schema-matching")
    if path.name.startswith("psrm-"):
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        try:
            conn.request("GET", f"/admin/tenants/{KOMMUNE}/{SYSTEM}/state")
            state = json.loads(conn.getresponse().read())
        finally:
            conn.close()
        first = [a for a in state["psrm"]["actions"] if a["MFAktionID"] == f"A-{tag}-f{1:011x}"]
        if not first or first[0]["MFAktionStatusKode"] != "UDFOERT":
            raise RuntimeError(f"{path.name}: PSRM's batch did not book the smoke claim: {first}")
    if path.settings:
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        try:
            body = json.dumps(path.settings)
            conn.request("PATCH", f"/admin/tenants/{KOMMUNE}/{SYSTEM}/settings", body, HEADERS)
            if conn.getresponse().status != 200:
                raise RuntimeError(f"{path.name}: the settings {path.settings} were refused")
        finally:
            conn.close()


def preflight(paths: list[BenchPath], work: Path, code: Path) -> str | None:
    """Smoke every path once on the code to be measured (a few seconds); what is broken, or None."""
    for path in paths:
        port = _free_port()
        tag = f"pre{uuid.uuid4().hex[:6]}"
        try:
            with server(
                path.server, port, work / f"preflight-{tag}.db", work / f"preflight-{tag}.log", False, code
            ):
                smoke(path, port, tag)
        except (RuntimeError, OSError, KeyError, ValueError) as exc:
            return str(exc)[:2000]
    return None


def prepare_code(args: argparse.Namespace, work: Path, check: Callable[[Path], str | None]) -> Path:
    """The code to serve: the work tree (--live) or a snapshot that passes `check` (the preflight smoke
    requests on that code; what is broken, or None).

    Others edit the tree while we measure, so a snapshot may catch a half-made change: with
    --snapshot-retries N a failing snapshot is retaken up to N times, 30 s apart."""
    for attempt in range(args.snapshot_retries + 1):
        broken: str | None
        if args.live:
            code: Path | None = ROOT
        else:
            shutil.rmtree(work / "code", ignore_errors=True)
            try:
                code = snapshot(work)
            except RuntimeError as exc:
                code, broken = None, str(exc)[:2000]
        if code is not None:
            broken = check(code)
            if broken is None:
                return code
        print(f"  preflight failed (attempt {attempt + 1}): {broken}", flush=True)
        if attempt < args.snapshot_retries:
            time.sleep(30)
    raise SystemExit("the code does not serve the benchmarked paths correctly: nothing measured")


def measure(path: BenchPath, round_no: int, args: argparse.Namespace, work: Path, code: Path) -> Measurement:
    """Serve `path` in a fresh process with a fresh database, smoke-check, warm up, load, stop, verify."""
    tag = f"r{round_no}{uuid.uuid4().hex[:6]}"
    db = work / f"{path.name}-{tag}.db"
    script = work / f"{path.name}-{tag}.lua"
    script.write_text(lua_script(path, tag), encoding="utf-8")
    port = _free_port()
    url = f"http://{HOST}:{port}{path.url_path}"
    with server(path.server, port, db, work / f"{path.name}-{tag}.log", args.pin, code) as proc:
        smoke(path, port, tag)
        common = {
            "connections": args.connections,
            "threads": args.threads,
            "server_pid": proc.pid,
            "pin": args.pin,
        }
        warmup = max(args.warmup, args.anchor_warmup) if path.server in ANCHORS else args.warmup
        if warmup > 0:
            run_wrk(script, url, phase=WARMUP_PHASE, duration=warmup, **common)
        result = run_wrk(script, url, phase=MEASURE_PHASE, duration=args.duration, **common)
        levels = _partial_loads(path, result, script, url, args, common)
    acknowledged = result.requests - result.errors["status_errors"]
    if path.stored is None:
        stored = None
        verified = result.errors["status_errors"] == 0
        verdict = (
            f"ok: every answer {path.expect_status}"
            if verified
            else f"FAILED: {result.errors['status_errors']} non-2xx"
        )
    else:
        with contextlib.closing(sqlite3.connect(db)) as conn:
            stored = path.stored(conn, f"{tag}-{MEASURE_PHASE:x}")
        # A request sent just before wrk stopped may be stored without wrk counting its answer: at most one
        # per connection. Fewer rows than acknowledged answers means the path lost or refused something.
        verified = (
            result.errors["status_errors"] == 0
            and acknowledged <= stored["stored"] <= acknowledged + args.connections * args.threads
            and stored.get("actions_AFVIST", 0) == 0  # PSRM's batch refused none of the valid claims
            and stored.get("bilag_AFVIST", 0) == 0  # the ERP rejected none of the valid bilag
        )
        verdict = (
            f"ok: {stored['stored']} rows for {acknowledged} acknowledged"
            if verified
            else f"FAILED: {stored['stored']} rows for {acknowledged} acknowledged, "
            f"{result.errors['status_errors']} non-2xx, "
            f"{stored.get('actions_AFVIST', 0) + stored.get('bilag_AFVIST', 0)} refused"
        )
    if not args.keep:
        for leftover in work.glob(f"{path.name}-{tag}.db*"):
            leftover.unlink()
    return Measurement(path.name, round_no, result, stored, acknowledged, verified, verdict, levels)


def _partial_loads(
    path: BenchPath,
    saturated: WrkResult,
    script: Path,
    url: str,
    args: argparse.Namespace,
    common: dict[str, Any],
) -> dict[str, dict[str, float]]:
    """Latency at a realistic load: the same path offered `--levels` percent of its saturation rate."""
    levels: dict[str, dict[str, float]] = {}
    if path.server == "bare" or saturated.rps <= 0:
        return levels
    for phase, percent in enumerate(args.levels, start=MEASURE_PHASE + 1):
        target = saturated.rps * percent / 100
        cycle_ms = 1000 * args.connections * args.threads / target  # one request per connection per cycle
        probe = run_wrk(script, url, phase=phase, duration=1, pause_ms=max(1, round(cycle_ms)), **common)
        pause_ms = max(1, round(cycle_ms - probe.mean_ms))  # a cycle is the answer's latency plus the pause
        run = run_wrk(script, url, phase=phase, duration=args.duration, pause_ms=pause_ms, **common)
        levels[f"{percent}%"] = {
            "offered_rps": round(target, 1),
            "rps": run.rps,
            "p50_ms": run.p50_ms,
            "p99_ms": run.p99_ms,
            "status_errors": run.errors["status_errors"],
        }
    return levels


# ------------------------------------------------------------------------------------------------ report


def source_fingerprint(root: Path = ROOT) -> str:
    """SHA-256 over the code and contracts the servers run: other people edit the tree while we measure."""
    digest = hashlib.sha256()
    if (root / "testkommune").is_dir():  # a snapshot is laid out as the installed namespace
        root = root / "testkommune"
    for folder, pattern in (("simulators", "*.py"), ("harness", "*.py"), ("contracts", "*.json")):
        for file in sorted((root / folder).rglob(pattern)):
            digest.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:16]


def _machine() -> dict[str, Any]:
    def version(argv: list[str]) -> str:
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
            return (out.stdout + out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "unknown"

    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as pkg_version

    packages = {}
    for name in (
        "starlette",
        "uvicorn",
        "httptools",
        "uvloop",
        "sqlalchemy",
        "fastjsonschema",
        "testkommune",
    ):
        try:
            packages[name] = pkg_version(name)
        except PackageNotFoundError:
            packages[name] = None
    cpu_model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "wrk": version(["wrk", "--version"]),
        "loadavg_at_start": os.getloadavg(),
        "packages": packages,
    }


def summarise(measurements: list[Measurement], rounds: int) -> dict[str, Any]:
    """Per path the median over rounds; ratios to bare per round (only figures of one round compare)."""
    by_path: dict[str, list[Measurement]] = {}
    for m in measurements:
        by_path.setdefault(m.path, []).append(m)
    summary: dict[str, Any] = {}
    for name, ms in by_path.items():
        summary[name] = {
            "rps": [m.result.rps for m in ms],
            "rps_median": round(statistics.median(m.result.rps for m in ms), 1),
            "p50_ms": [m.result.p50_ms for m in ms],
            "p99_ms": [m.result.p99_ms for m in ms],
        }
    ratios: dict[str, list[float]] = {}
    for round_no in range(1, rounds + 1):
        in_round = {m.path: m.result.rps for m in measurements if m.round == round_no}
        for base in ("bare", *ANCHORS):
            for name, rps in in_round.items():
                if name not in ("bare", *ANCHORS) and in_round.get(base):
                    ratios.setdefault(f"{name}/{base}", []).append(round(rps / in_round[base], 3))
    summary["ratios_per_round"] = ratios
    return summary


GOALS = {
    "psrm-create/prism": "   (issue 18 goal: ≥ 1.0)",
    "psrm-create/wiremock": "   (issue 18 goal: ≥ 0.5)",
}


def print_table(measurements: list[Measurement], summary: dict[str, Any]) -> None:
    head = (
        f"{'path':<13} {'rnd':>3} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
        f"{'srv cpu':>7} {'wrk cpu':>7}  verification"
    )
    print(head)
    print("-" * len(head))
    for m in measurements:
        r = m.result
        print(
            f"{m.path:<13} {m.round:>3} {r.rps:>9.0f} {r.p50_ms:>7.2f} {r.p99_ms:>7.2f} {r.max_ms:>7.1f} "
            f"{r.server_cpu_pct:>6.0f}% {r.wrk_cpu_pct:>6.0f}%  {m.verdict}"
        )
        for level, figures in m.levels.items():
            print(
                f"{'':<13} {level:>3} {figures['rps']:>9.0f} "
                f"{figures['p50_ms']:>7.2f} {figures['p99_ms']:>7.2f}"
                f"  (offered {figures['offered_rps']:.0f} req/s)"
            )
        if r.wrk_cpu_pct > 90:
            print("    ! the load generator was saturated: this figure is a floor, not the server's limit")
    print()
    for name, values in summary["ratios_per_round"].items():
        goal = GOALS.get(name, "")
        print(f"{name:<24} per round: {', '.join(f'{v:.2f}' for v in values)}{goal}")
    for name, note in NOT_MEASURED.items():
        print(f"{name}: {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="HTTP benchmarks: bare endpoint vs PSRM create vs ØiR create."
    )
    parser.add_argument(
        "--duration", type=int, default=15, help="seconds of measured load per path (default 15)"
    )
    parser.add_argument("--rounds", type=int, default=2, help="rounds over all paths (default 2)")
    parser.add_argument(
        "--warmup", type=int, default=3, help="seconds of warm-up load per server (default 3)"
    )
    parser.add_argument(
        "--anchor-warmup",
        type=int,
        default=60,
        help="seconds of warm-up load for the anchors (WireMock's JIT needs about a minute; default 60)",
    )
    parser.add_argument(
        "--levels",
        type=lambda text: [int(p) for p in text.split(",") if p],
        default=[25, 50],
        help="also measure latency at these percentages of each path's saturation rate (default 25,50)",
    )
    parser.add_argument("--connections", type=int, default=32, help="wrk -c (default 32)")
    parser.add_argument("--threads", type=int, default=1, help="wrk -t (default 1)")
    parser.add_argument("--paths", default=",".join(p.name for p in PATHS), help="comma-separated subset")
    parser.add_argument("--no-pin", dest="pin", action="store_false", help="do not pin with taskset")
    parser.add_argument("--keep", action="store_true", help="keep the databases, scripts and logs")
    parser.add_argument(
        "--live",
        action="store_true",
        help="serve from the work tree itself instead of a snapshot copied at the start (default: snapshot)",
    )
    parser.add_argument(
        "--snapshot-retries",
        type=int,
        default=0,
        help="retake a snapshot that fails the preflight up to N times, 30 s apart (default 0)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON result")
    args = parser.parse_args(argv)
    if not (1 <= args.duration <= 600 and 1 <= args.rounds <= 10 and 0 <= args.warmup <= 60):
        parser.error("duration 1-600 s, rounds 1-10, warmup 0-60 s")
    if not 0 <= args.anchor_warmup <= 180:
        parser.error("anchor warm-up 0-180 s")
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install -y wrk)")
    if args.pin and (shutil.which("taskset") is None or (os.cpu_count() or 1) < 2):
        parser.error("pinning needs taskset and two cores; pass --no-pin to run unpinned")
    chosen = [p for p in PATHS if p.name in args.paths.split(",")]
    for path in [p for p in chosen if p.server in ANCHORS]:
        if anchors.argv(path.server, 0, Path(tempfile.mkdtemp(prefix="tk-anchor-probe-"))) is None:
            NOT_MEASURED[path.name] = anchors.missing(path.server)
            chosen.remove(path)
            print(NOT_MEASURED[path.name], flush=True)

    started = datetime.now(UTC)
    machine = _machine()
    print(
        f"{started:%Y-%m-%d %H:%M:%S} UTC · nproc {machine['nproc']} · {machine['cpu_model']} · "
        f"load {machine['loadavg_at_start'][0]:.2f} · wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s (+{args.warmup}s warm-up) × {args.rounds} rounds",
        flush=True,
    )
    measurements: list[Measurement] = []
    with tempfile.TemporaryDirectory(prefix="tk-bench-") as tmp:
        work = Path(tmp)
        code = prepare_code(args, work, lambda code: preflight(chosen, work, code))
        source_before = source_fingerprint(code)
        for round_no in range(1, args.rounds + 1):
            for path in chosen:
                m = measure(path, round_no, args, work, code)
                measurements.append(m)
                print(
                    f"  round {round_no} {path.name:<12} {m.result.rps:>8.0f} req/s"
                    f"  p99 {m.result.p99_ms:.2f} ms  {m.verdict}",
                    flush=True,
                )
        if args.keep:
            kept = Path(tempfile.mkdtemp(prefix="tk-bench-kept-"))
            shutil.copytree(work, kept, dirs_exist_ok=True)
            print(f"kept databases, scripts and logs in {kept}")
        source_after = source_fingerprint(code)
    print()
    if source_after != source_before:
        print("! the simulators' source changed during the run: the figures may mix two code states\n")
    elif not args.live:
        print(f"code state measured: snapshot {source_before} of the work tree taken at the start\n")
    summary = summarise(measurements, args.rounds)
    print_table(measurements, summary)

    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"{started:%Y%m%dT%H%M%SZ}.json"
    document = {
        "started": started.isoformat(),
        "finished": datetime.now(UTC).isoformat(),
        "machine": machine,
        "parameters": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "pinning": {"server_core": SERVER_CORE, "loadgen_core": LOADGEN_CORE} if args.pin else None,
        "tenant": TENANT,
        "source": {
            "served_from": "work tree (--live)" if args.live else "snapshot copied at the start",
            "fingerprint_before": source_before,
            "fingerprint_after": source_after,
            "work_tree_fingerprint_at_end": source_fingerprint(),
        },
        "not_measured": NOT_MEASURED,
        "measurements": [
            asdict(m)
            | {
                "result": {k: v for k, v in asdict(m.result).items() if k != "raw"}
                | {"wrk_stdout": m.result.raw["stdout"]}
            }
            for m in measurements
        ],
        "summary": summary,
        "note": "Noisy shared 2-core machine: compare ratios within one run only, never absolute figures "
        "across runs.",
    }
    out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0 if all(m.verified for m in measurements) else 1


if __name__ == "__main__":
    raise SystemExit(main())
