"""Run a load profile with Locust (local, or as master of distributed workers) and judge it.

Import Locust before this module (the CLI does): gevent's monkey patching must come before `ssl`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import gevent
from locust.env import Environment
from testkommune.harness.load import users
from testkommune.harness.load.artifacts import Timeline, locust_files
from testkommune.harness.load.certification import find_certification
from testkommune.harness.load.cpu import SATURATED_PCT, CpuSamples
from testkommune.harness.load.document import Judged, measure, report_document, too_small
from testkommune.harness.load.kommune import ChildKommune, prepare_tenant, served_operations, start_child
from testkommune.harness.load.ledger import Ledger, reconcile
from testkommune.harness.load.messages import NKS_AFSEND
from testkommune.harness.load.profiles import Profile, ProfileError
from testkommune.harness.load.progress import Progress
from testkommune.harness.load.slo import judge
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling

CONFIG_MESSAGE, LEDGER_MESSAGE = "tk-config", "tk-ledger"


@dataclass
class LoadOptions:
    """One `testkommune load` run as the controller (local runner or master) sees it."""

    profile: Profile
    slo: dict[str, Any]
    slo_file: str
    target: str = "simulators"  # or "fagsystem": load through a Fagsystem driver
    url: str | None = None
    kommune: str = "851"
    system: str | None = None
    seed: int = 1
    token: str | None = None
    admin_token: str | None = None
    fagsystem_spec: str | None = None
    fagsystem_factory: Callable[[], Any] | None = None
    certification: Path | None = None
    master: bool = False
    expect_workers: int = 1
    master_bind_host: str = "127.0.0.1"
    master_port: int = 5557
    worker_timeout_s: float = 60.0
    max_generator_cpu: float = SATURATED_PCT


@dataclass
class Run:
    """What happened while the users ran."""

    elapsed_s: float
    env: Environment
    ledger: Ledger
    cpu: dict[str, Any]
    workers: int
    timeline: list[dict[str, float]] = dataclasses.field(default_factory=list)
    locust_files: dict[str, str] = dataclasses.field(default_factory=dict)


def system_under_test(options: LoadOptions) -> Any:
    """The fagsystem whose messages the load is made of (the reference fagsystem towards the simulators)."""
    if options.target == "fagsystem":
        assert options.fagsystem_factory is not None
        return options.fagsystem_factory()
    return Foraeldrebetaling()


def run_load(options: LoadOptions, console: Any) -> dict[str, Any]:
    """Run the profile against the test kommune (given or embedded); returns the report document."""
    child: ChildKommune | None = None
    if options.url is None:
        console.print("starting an embedded test kommune (testkommune serve, in-memory state) …")
        child = start_child()
    base_url = options.url or (child.base_url if child else "")
    try:
        return _run_at(options, base_url.rstrip("/"), console)
    finally:
        if child is not None:
            child.stop()


def _run_at(options: LoadOptions, base_url: str, console: Any) -> dict[str, Any]:
    fagsystem = system_under_test(options)
    profile, notes = _available(options.profile, base_url, options.target)
    system = options.system or f"load-{profile.name}"
    clock = prepare_tenant(base_url, options.kommune, system, profile.clock, options.admin_token)
    today = date.fromisoformat(str(clock["now"])[:10])
    config = users.LoadConfig(
        profile=profile,
        base_url=base_url,
        kommune=options.kommune,
        system=system,
        today=today,
        seed=options.seed,
        token=options.token,
        fagsystem_factory=options.fagsystem_factory,
    )
    for note in notes:
        console.print(f"note: {note}")
    console.print(
        f"profile {profile.name}: {profile.users} users, spawn rate {profile.spawn_rate:g}/s, "
        f"run time {profile.run_time_s:g} s, target {options.target} at {base_url} "
        f"(tenant {options.kommune}/{system}, simulated date {today})"
    )
    run = _drive(options, config, console)
    stats = run.env.stats
    reconciliation = reconcile(
        run.ledger, base_url, options.kommune, system, options.admin_token, prefixes=run.ledger.tags
    )
    kpis = measure(stats, run.elapsed_s, run.ledger, reconciliation.as_dict())
    peak_users = int(max((sample["users"] for sample in run.timeline), default=profile.users))
    judged = Judged(
        judge(kpis, options.slo),
        find_certification(options.certification, fagsystem.name, fagsystem.version),
        too_small(profile, run.elapsed_s, kpis["requests"], peak_users),
    )
    tenant = {
        "base_url": base_url,
        "kommune": options.kommune,
        "system": system,
        "simulated_date": str(today),
    }
    doc = report_document(
        options, profile, tenant, fagsystem, run, kpis, judged, reconciliation.as_dict(), notes
    )
    return doc | {"locust_files": run.locust_files}


def _available(profile: Profile, base_url: str, target: str) -> tuple[Profile, list[str]]:
    """Drop messages the test kommune does not serve (betalingsanmodninger until SF1590_E lands)."""
    notes = []
    paths = served_operations(base_url)
    weights = dict(profile.weights)
    if NKS_AFSEND not in paths and weights.get("betalingsanmodning", 0) > 0:
        notes.append("betalingsanmodninger (SF1590_E NemKonto) not in /openapi.json: weight 0")
        weights["betalingsanmodning"] = 0
    if target == "fagsystem":
        if weights.get("finansbilag", 0):
            notes.append("target fagsystem: the driver protocol bills cases (OpretDebitorkonto) only")
        weights = {k: (1 if k == "opretdebitorkonto" else 0) for k in weights}
    if not any(weights.values()):
        raise ProfileError(f"profile {profile.name} sends nothing this test kommune serves")
    return dataclasses.replace(profile, weights=weights), notes


@dataclass
class _WorkerReports:
    """What the workers report when they stop (master only): their ledgers and CPU samples."""

    ledger: Ledger = dataclasses.field(default_factory=Ledger)
    reported: set[str] = dataclasses.field(default_factory=set)
    cpu: dict[str, dict[str, float]] = dataclasses.field(default_factory=dict)

    def on_ledger(self, environment: Any, msg: Any, **kwargs: Any) -> None:
        self.ledger.merge(msg.data)
        self.cpu[str(msg.node_id)] = msg.data["cpu"]
        self.reported.add(str(msg.node_id))


def _drive(options: LoadOptions, config: users.LoadConfig, console: Any) -> Run:
    """Start the users (locally, or on the workers), let them run the profile's time, and collect."""
    user_class = users.DriverUser if options.target == "fagsystem" else users.SimulatorUser
    env = Environment(user_classes=[user_class], host=config.base_url)
    reports = _WorkerReports()
    runner = _start_runner(env, options, config, reports, console)
    cpu = CpuSamples()
    cpu.start()
    progress = Progress(console, env, config.profile.run_time_s)
    timeline = Timeline(runner)
    elapsed = _run_users(env, runner, config.profile, cpu, progress, timeline)
    runner.stop()
    workers = _collect_ledgers(runner, options, config, reports)
    files = locust_files(env)
    runner.quit()
    progress.finish(elapsed)
    return Run(
        elapsed,
        env,
        reports.ledger,
        cpu.summary(
            reports.cpu if options.master else None,
            options.max_generator_cpu,
            env.stats.total.num_requests,
            elapsed,
        ),
        workers,
        timeline.samples,
        files,
    )


def _start_runner(
    env: Environment, options: LoadOptions, config: users.LoadConfig, reports: _WorkerReports, console: Any
) -> Any:
    """A local runner with the users configured, or a master whose workers are connected and configured."""
    if not options.master:
        runner = env.create_local_runner()
        users.configure(config)
        return runner
    master = env.create_master_runner(options.master_bind_host, options.master_port)
    master.register_message(LEDGER_MESSAGE, reports.on_ledger)
    _await_workers(master, options, console)
    master.send_message(CONFIG_MESSAGE, config_message(config, options))
    return master


def _run_users(
    env: Environment, runner: Any, profile: Profile, cpu: CpuSamples, progress: Progress, timeline: Timeline
) -> float:
    """Spawn the profile's users and sample once a second until its run time is over (or, with a backlog
    per user, until every user has sent it); returns the seconds they ran."""
    spawned = {"done": False}
    env.events.spawning_complete.add_listener(lambda user_count, **kw: spawned.update(done=True))
    started = time.monotonic()
    runner.start(profile.users, spawn_rate=profile.spawn_rate)
    while (elapsed := time.monotonic() - started) < profile.run_time_s:
        gevent.sleep(1.0)
        cpu.sample()
        progress.show(elapsed + 1.0)
        timeline.sample(elapsed + 1.0)
        if profile.messages_per_user is not None and spawned["done"] and runner.user_count == 0:
            break  # every user has sent its backlog
    return time.monotonic() - started


def _collect_ledgers(
    runner: Any, options: LoadOptions, config: users.LoadConfig, reports: _WorkerReports
) -> int:
    """After the users stopped: every worker's ledger (waiting up to 15 s for them), or the local users';
    returns how many workers took part (0 when local)."""
    if not options.master:
        reports.ledger.merge(config.ledger.as_message() | {"tags": [config.tag]})
        return 0
    deadline = time.monotonic() + 15
    while len(reports.reported) < options.expect_workers and time.monotonic() < deadline:
        gevent.sleep(0.1)
    gevent.sleep(0.5)
    return len(runner.clients)


def _await_workers(runner: Any, options: LoadOptions, console: Any) -> None:
    console.print(
        f"master on {options.master_bind_host}:{options.master_port}: "
        f"waiting for {options.expect_workers} workers …"
    )
    deadline = time.monotonic() + options.worker_timeout_s
    while len(runner.clients.ready) < options.expect_workers:
        if time.monotonic() > deadline:
            runner.quit()
            raise ProfileError(
                f"only {len(runner.clients.ready)} of {options.expect_workers} workers connected "
                f"within {options.worker_timeout_s:.0f} s"
            )
        gevent.sleep(0.1)
    console.print(f"{len(runner.clients.ready)} workers connected")


def config_message(config: users.LoadConfig, options: LoadOptions) -> dict[str, Any]:
    profile = dataclasses.asdict(config.profile)
    return {
        "profile": profile,
        "base_url": config.base_url,
        "kommune": config.kommune,
        "system": config.system,
        "today": config.today.isoformat(),
        "seed": config.seed,
        "token": config.token,
        "target": options.target,
        "fagsystem_spec": options.fagsystem_spec,
    }


def run_worker(master_host: str, master_port: int, resolve: Callable[[str], Any], console: Any) -> int:
    """A Locust worker: takes its configuration from the master, runs users, reports its ledger on stop."""
    env = Environment(user_classes=[users.SimulatorUser, users.DriverUser])
    runner = env.create_worker_runner(master_host, master_port)

    def on_config(environment: Any, msg: Any, **kwargs: Any) -> None:
        data = msg.data
        raw = dict(data["profile"])
        raw["wait_s"] = tuple(raw["wait_s"])
        spec = data.get("fagsystem_spec")
        users.configure(
            users.LoadConfig(
                profile=Profile(**raw),
                base_url=data["base_url"],
                kommune=data["kommune"],
                system=data["system"],
                today=date.fromisoformat(data["today"]),
                seed=int(data["seed"]),
                token=data.get("token"),
                fagsystem_factory=(lambda: resolve(spec)) if data["target"] == "fagsystem" and spec else None,
            )
        )
        console.print(f"worker {runner.client_id}: profile {raw['name']} against {data['base_url']}")

    cpu = CpuSamples()
    sampler: list[Any] = []

    def sample_every_second() -> None:
        while True:
            gevent.sleep(1.0)
            cpu.sample()

    def on_start(environment: Any, **kwargs: Any) -> None:
        cpu.start()
        sampler.append(gevent.spawn(sample_every_second))

    def on_stop(environment: Any, **kwargs: Any) -> None:
        for greenlet in sampler:
            greenlet.kill(block=False)
        if users.CONFIG is not None:
            config = users.CONFIG
            message = config.ledger.as_message() | {"tags": [config.tag], "cpu": cpu.own()}
            runner.send_message(LEDGER_MESSAGE, message)
            runner._send_stats()  # flush this worker's last samples before the master reads the totals

    runner.register_message(CONFIG_MESSAGE, on_config)
    env.events.test_start.add_listener(on_start)
    env.events.test_stop.add_listener(on_stop)
    console.print(f"worker connected to master {master_host}:{master_port}; waiting for work")
    runner.greenlet.join()
    return 0
