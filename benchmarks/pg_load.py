"""Helpers of `run_pg_scaling.py`: K tenants in one wrk script, and CPU accounting from /proc.

Tenants are `<kommune>/bench` for the first K kommuner, 851 (the benchmarks' usual tenant) first, then the
others in kommunekode order (101, 147, 151, …), so K = 1 is exactly the old single-tenant load. Each tenant's
bodies carry what its default agreement expects (PSRM: DMIFordringHaverID = the kommune in 4 digits; ERP:
Myndighed.Kommunenummer), so every tenant's claims take the real create path.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from testkommune.contracts.identities import kommuner
from testkommune.simulators.tenancy import Tenant, default_fordringshaver_id

from benchmarks.run_http import (
    KOMMUNE,
    LUA_REPORT,
    SYSTEM,
    TOKEN,
    BenchPath,
    _lua_string,
    _oir_body,
    _uuid_with_token,
)
from tests.erp_messages import finansbilag, modtag
from tests.messages import psrm_leverance

CLK_TCK = os.sysconf("SC_CLK_TCK")

# ------------------------------------------------------------------------------------------------ tenants


def bench_tenants(count: int) -> tuple[Tenant, ...]:
    """The first `count` bench tenants: 851 first, then the other kommuner in kommunekode order."""
    numbers = [KOMMUNE, *(k.nummer for k in kommuner() if k.nummer != KOMMUNE)]
    if not 1 <= count <= len(numbers):
        raise ValueError(f"--tenants must be between 1 and {len(numbers)}")
    return tuple(Tenant(n, SYSTEM) for n in numbers[:count])


def _psrm_body(tag: str, tenant: Tenant) -> str:
    haver = default_fordringshaver_id(tenant)
    message = psrm_leverance(leverance=f"L-{tag}-{TOKEN}", aktion=f"A-{tag}-{TOKEN}", haver=haver)
    message["Kontekst"]["HovedOplysninger"]["TransaktionsID"] = _uuid_with_token()
    return json.dumps(message, ensure_ascii=False)


def _erp_body(tag: str, tenant: Tenant) -> str:
    today = datetime.now(UTC).date().isoformat()
    bilag = finansbilag(bilag_id=f"B-{tag}-{TOKEN}", bogfoeringsdato=today, kommune=tenant.kommune)
    message = modtag(bilag)
    message["Hovedoplysninger"]["TransaktionsID"] = _uuid_with_token()
    return json.dumps(message, ensure_ascii=False)


def tenant_body(path: BenchPath, tag: str, tenant: Tenant) -> str:
    """The body template (TOKEN where each request's id goes) of one path for one tenant."""
    if path.name == "psrm-create":
        return _psrm_body(tag, tenant)
    if path.name == "erp-voucher":
        return _erp_body(tag, tenant)
    if path.name == "oir-voucher":
        return _oir_body(tag)
    raise ValueError(f"no per-tenant body for {path.name}")


# --------------------------------------------------------------------------------------------- wrk script

LUA = r"""
local bodies = { %(bodies)s }
local headers = { %(headers)s }
local path = %(path)s
local k = #bodies
local phase = 0
local tid = 0
n = 0  -- global: done() reads each thread's count with thread:get("n")
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  phase = tonumber(args[1]) or 0
  tid = tonumber(wrk.thread:get("tid")) or 0
end

function request()
  n = n + 1
  local t = (n - 1) %% k + 1
  local parts = bodies[t]
  local id = string.format("%%x%%02x%%09x", phase, tid, n)
  local buf = {}
  for i = 1, #parts - 1 do
    buf[#buf + 1] = parts[i]
    buf[#buf + 1] = id
  end
  buf[#buf + 1] = parts[#parts]
  return wrk.format("POST", path, headers[t], table.concat(buf))
end

answered = {}  -- global: worker pid (the X-TK-Worker header) → answers, read by done()

function response(status, headers, body)
  local worker = headers["x-tk-worker"] or headers["X-TK-Worker"] or "?"
  answered[worker] = (answered[worker] or 0) + 1
end

function done(summary, latency, requests)
  local e = summary.errors
  local sent = {}
  local by_worker = {}
  for _, thread in ipairs(threads) do
    sent[#sent + 1] = tostring(thread:get("n") or 0)
    for worker, count in pairs(thread:get("answered") or {}) do
      by_worker[worker] = (by_worker[worker] or 0) + count
    end
  end
  io.write("BENCH_SENT [" .. table.concat(sent, ", ") .. "]\n")
  local pairs_out = {}
  for worker, count in pairs(by_worker) do
    pairs_out[#pairs_out + 1] = string.format('"%%s": %%d', worker, count)
  end
  io.write("BENCH_WORKERS {" .. table.concat(pairs_out, ", ") .. "}\n")
%(report)s
end
"""


def _headers(tenant: Tenant) -> str:
    fields = {
        "Content-Type": "application/json",
        "X-TK-Kommune": tenant.kommune,
        "X-TK-Anvendersystem": tenant.system,
    }
    return "{ " + ", ".join(f'["{k}"] = "{v}"' for k, v in fields.items()) + " }"


def lua_script(path: BenchPath, tag: str, tenants: tuple[Tenant, ...]) -> str:
    """A wrk script sending request n (1, 2, …) of each thread to tenant (n - 1) mod K, each body unique."""
    bodies = [tenant_body(path, tag, t).split(TOKEN) for t in tenants]
    return LUA % {
        "bodies": ", ".join("{ " + ", ".join(_lua_string(p) for p in parts) + " }" for parts in bodies),
        "headers": ", ".join(_headers(t) for t in tenants),
        "path": _lua_string(path.url_path),
        "report": LUA_REPORT,
    }


def sent_per_tenant(wrk_stdout: str, tenants: int) -> list[int]:
    """Requests each tenant was sent (by the round-robin), from the per-thread counters `done()` printed."""
    match = re.search(r"^BENCH_SENT \[(.*)\]$", wrk_stdout, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk printed no BENCH_SENT line: {wrk_stdout[-500:]}")
    per_thread = [int(n) for n in match.group(1).split(",") if n.strip()]
    return [sum(len(range(t + 1, n + 1, tenants)) for n in per_thread) for t in range(tenants)]


def answers_per_worker(wrk_stdout: str) -> dict[str, int]:
    """Answers of the measured phase per server process (pid from X-TK-Worker), as `done()` printed them."""
    match = re.search(r"^BENCH_WORKERS (.*)$", wrk_stdout, re.MULTILINE)
    return json.loads(match.group(1)) if match else {}


# ------------------------------------------------------------------------------------------- CPU from /proc


@dataclass(frozen=True)
class OtherProcess:
    """A process that is neither a server nor PostgreSQL: its own CPU and its reaped children's."""

    comm: str  # kernel threads (kworker/0:1-events) by their family: kworker
    ppid: int
    started: int  # start time in clock ticks since boot: tells a reused pid apart
    own_s: float  # utime + stime
    reaped_s: float  # cutime + cstime: children that have exited and been waited for


@dataclass(frozen=True)
class CpuSnapshot:
    """Cumulative CPU seconds at one moment: server processes, PostgreSQL processes, the machine."""

    servers_s: float
    per_server_s: dict[int, float]  # pid → CPU seconds, the supervisor and each worker
    postgres_s: float
    bench_backends: dict[int, tuple[int, float]]  # pid → (start time, CPU s): backends of the bench database
    others: dict[int, OtherProcess]  # every other process, by pid
    machine_total_s: float
    machine_idle_s: float
    machine_irq_s: float


def _proc_stats() -> list[tuple[int, str, list[str]]]:
    """(pid, comm, fields after comm) of every process still readable."""
    stats = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        head, _, rest = text.rpartition(")")
        stats.append((int(stat.parent.name), head.split("(", 1)[1], rest.split()))
    return stats


def _machine_s() -> tuple[float, float, float]:
    """Total, idle (idle + iowait) and interrupt (irq + softirq, e.g. loopback networking) CPU seconds of all
    cores, from the first line of /proc/stat (user nice system idle iowait irq softirq steal)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(fields) / CLK_TCK, (fields[3] + fields[4]) / CLK_TCK, (fields[5] + fields[6]) / CLK_TCK


def _connected_to(pid: int, database: str) -> bool:
    """Whether a PostgreSQL backend serves `database` (its title: `postgres: user database host state`)."""
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return f" {database} " in title


def _other(pid: int, comm: str, fields: list[str]) -> OtherProcess:
    """One other process; this script's reaped children (wrk, the servers) are counted on their own."""
    own = (int(fields[11]) + int(fields[12])) / CLK_TCK
    reaped = 0.0 if pid == os.getpid() else (int(fields[13]) + int(fields[14])) / CLK_TCK
    return OtherProcess(comm.split("/")[0], int(fields[1]), int(fields[19]), own, reaped)


def cpu_snapshot(server_pid: int, database: str) -> CpuSnapshot:
    """The server (its pid and direct children, the workers), every `postgres*` process (utime + stime, plus
    cutime + cstime, so backends that exit inside the window are still counted by the postmaster) and every
    other process."""
    per_server: dict[int, float] = {}
    others: dict[int, OtherProcess] = {}
    bench: dict[int, tuple[int, float]] = {}
    postgres = 0.0
    for pid, comm, fields in _proc_stats():
        if pid == server_pid or fields[1] == str(server_pid):
            per_server[pid] = (int(fields[11]) + int(fields[12])) / CLK_TCK
        elif comm.startswith("postgres"):
            used = sum(int(v) for v in fields[11:15]) / CLK_TCK
            postgres += used
            if _connected_to(pid, database):
                bench[pid] = (int(fields[19]), used)
        else:
            others[pid] = _other(pid, comm, fields)
    total, idle, irq = _machine_s()
    return CpuSnapshot(sum(per_server.values()), per_server, postgres, bench, others, total, idle, irq)


def _surviving_ancestor(pid: int, before: CpuSnapshot, after: CpuSnapshot) -> int | None:
    """The nearest ancestor (as of `before`) of an exited process that is still there: it reaped the CPU."""
    parent = before.others[pid].ppid
    while parent not in after.others:
        if parent not in before.others:
            return None  # this script, a server, PostgreSQL or init: not counted among the others
        parent = before.others[parent].ppid
    return parent if parent != os.getpid() else None


def _top_others(before: CpuSnapshot, after: CpuSnapshot, wall_s: float, top: int = 3) -> dict[str, float]:
    """The busiest other commands over the window. A process that exited inside it counts for the ancestor
    that reaped it (through its cutime + cstime, less what the process had used when the window opened)."""
    used: dict[int, float] = {}
    for pid, proc in after.others.items():
        old = before.others.get(pid)
        base = old.own_s + old.reaped_s if old is not None and old.started == proc.started else 0.0
        used[pid] = proc.own_s + proc.reaped_s - base
    for pid, gone in before.others.items():
        if pid not in after.others and (heir := _surviving_ancestor(pid, before, after)) is not None:
            used[heir] -= gone.own_s + gone.reaped_s
    by_comm: dict[str, float] = {}
    for pid, cpu in used.items():
        comm = after.others[pid].comm
        by_comm[comm] = by_comm.get(comm, 0.0) + cpu / wall_s
    busiest = sorted(by_comm.items(), key=lambda item: -item[1])[:top]
    return {comm: round(cores, 2) for comm, cores in busiest if cores >= 0.01}


def _bench_backends_s(before: CpuSnapshot, after: CpuSnapshot) -> float:
    """CPU of the bench database's backends that are there at the end (one that closed inside the window
    is missed: its CPU shows only in the postgres total, through the postmaster's cutime)."""
    used = 0.0
    for pid, (started, cpu) in after.bench_backends.items():
        old = before.bench_backends.get(pid)
        used += cpu - (old[1] if old is not None and old[0] == started else 0.0)
    return used


def cores_used(before: CpuSnapshot, after: CpuSnapshot, wrk_cpu_s: float, wall_s: float) -> dict[str, Any]:
    """Cores used over the window: servers (and per server process), postgres, wrk, the machine's busy and
    idle cores, and the rest of the machine (other users' processes, the kernel, this script)."""
    total = after.machine_total_s - before.machine_total_s
    idle = after.machine_idle_s - before.machine_idle_s
    servers = (after.servers_s - before.servers_s) / wall_s
    postgres = (after.postgres_s - before.postgres_s) / wall_s
    wrk = wrk_cpu_s / wall_s
    busy = (total - idle) / wall_s
    return {
        "servers": round(servers, 2),
        "per_server": {
            str(pid): round((cpu - before.per_server_s.get(pid, 0.0)) / wall_s, 2)
            for pid, cpu in sorted(after.per_server_s.items())
        },
        "postgres": round(postgres, 2),
        "postgres_bench_db": round(_bench_backends_s(before, after) / wall_s, 2),
        "wrk": round(wrk, 2),
        "machine_busy": round(busy, 2),
        "machine_idle": round(idle / wall_s, 2),
        "other": round(max(busy - servers - postgres - wrk, 0.0), 2),
        "other_top": _top_others(before, after, wall_s),
        "irq": round((after.machine_irq_s - before.machine_irq_s) / wall_s, 2),
        "machine_cores": round(total / wall_s, 2),
    }
