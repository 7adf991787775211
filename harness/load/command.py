"""`testkommune load`: options → a run → GO/NO-GO reports and an exit code (Locust already imported)."""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Callable
from typing import Any

import requests
from testkommune.contracts.errors import UsageError
from testkommune.harness.load.kommune import KommuneStartError
from testkommune.harness.load.profiles import ProfileError, parse_duration, profile
from testkommune.harness.load.report import write_reports
from testkommune.harness.load.runner import LoadOptions, run_load, run_worker
from testkommune.harness.load.slo import DEFAULT_SLO_FILE, load_slo

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class LoadUsageError(UsageError):
    """The load command cannot run as asked (exit code 2)."""


def load_command(args: argparse.Namespace, console: Any, resolve: Callable[[str], Any]) -> int:
    console.soft_wrap = True  # one line per progress sample, however narrow the terminal
    if args.worker:
        return run_worker(args.master_host, args.master_port, resolve, console)
    try:
        options = _options(args, resolve)
        doc = run_load(options, console)
    except (ProfileError, KommuneStartError) as exc:
        raise LoadUsageError(str(exc)) from exc
    except requests.RequestException as exc:
        raise LoadUsageError(f"the test kommune did not answer: {exc}") from exc
    locust = doc.pop("locust_files", {})  # Locust's own HTML and CSV, written beside ours
    paths = write_reports(args.report_dir, doc, locust)
    _summary(console, doc, paths)
    return EXIT_OK if doc["decision"] == "GO" else EXIT_FAILED


def _options(args: argparse.Namespace, resolve: Callable[[str], Any]) -> LoadOptions:
    chosen = profile(args.profile)
    overrides: dict[str, Any] = {}
    if args.users is not None:
        if args.users < 1:
            raise ProfileError("--users must be at least 1")
        overrides["users"] = args.users
    if args.spawn_rate is not None:
        if args.spawn_rate <= 0:
            raise ProfileError("--spawn-rate must be above 0")
        overrides["spawn_rate"] = args.spawn_rate
    if args.run_time is not None:
        overrides["run_time_s"] = parse_duration(args.run_time)
    chosen = dataclasses.replace(chosen, **overrides)
    factory = None
    if args.target == "fagsystem":
        if not args.fagsystem:
            raise ProfileError(
                "--target fagsystem needs --fagsystem (a built-in variant or module:attribute)"
            )
        resolve(args.fagsystem)  # fail early on a bad spec
        spec = args.fagsystem

        def factory() -> Any:
            return resolve(spec)

    if not 0 < args.max_generator_cpu <= 100 * (os.cpu_count() or 1):
        raise ProfileError("--max-generator-cpu must be above 0 (percent of one core)")
    if args.master and args.expect_workers < 1:
        raise ProfileError("--expect-workers must be at least 1")
    return LoadOptions(
        profile=chosen,
        slo=load_slo(args.slo, chosen.name),
        slo_file=str(args.slo or DEFAULT_SLO_FILE),
        target=args.target,
        url=args.url,
        kommune=args.kommune,
        system=args.system,
        seed=args.seed,
        token=args.token,
        admin_token=args.admin_token,
        fagsystem_spec=args.fagsystem,
        fagsystem_factory=factory,
        certification=args.certification,
        master=args.master,
        expect_workers=args.expect_workers,
        master_bind_host=args.master_bind_host,
        master_port=args.master_port,
        max_generator_cpu=args.max_generator_cpu,
    )


def _summary(console: Any, doc: dict[str, Any], paths: dict[str, Any]) -> None:
    kpis = doc["kpis"]
    console.print(
        f"\n[bold]{doc['decision']}[/] — run {doc['run_status']}, SLO {doc['slo_status']} "
        f"({int(kpis['requests'])} requests in {doc['elapsed_s']} s)"
    )
    for kpi in doc["slo"]:
        mark = "ok    " if kpi["holds"] else "BREACH"
        console.print(f"  {mark} {kpi['kpi']} = {kpi['value']} (limit {kpi['comparison']} {kpi['limit']})")
    cpu = doc["cpu"]
    console.print(
        f"  load generator CPU: headroom {cpu['headroom_pct_of_one_core']} % of one core "
        f"(INVALID above {cpu['threshold_pct_of_one_core']:g} %); "
        f"machine mean {cpu['machine']['mean_pct']} % of {cpu['cores']} cores"
    )
    console.print(
        f"  load generator cost: {cpu['rps_per_generator_core']} req/s per generator core "
        f"({cpu['generator_cores']} cores used)"
    )
    console.print(f"  certification: {doc['certification']['detail']}")
    for reason in doc["reasons"]:
        console.print(f"  reason: {reason}")
    if doc["breached"]:
        console.print(f"  breached KPI: {', '.join(doc['breached'])}")
    for kind, path in paths.items():
        console.print(f"  {kind} report: {path}")
