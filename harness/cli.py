"""The `testkommune` command: serve, certify, demo, suites, load.

Exit codes: 0 everything passed, 1 something failed, 2 usage or configuration error (`verify`: 3 not
verified or untrusted; see harness/evidence/command.py).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from testkommune.harness import __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_REPORT_DIR = Path("testkommune-reports")
DEFAULT_KOMMUNE = "851"
DEFAULT_ROLE = "fagsystem (anvendersystem of SF1590_B_01 DebitorRegistreringAfsend)"


class UsageError(Exception):
    """The command was given something it cannot use (exit code 2)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="testkommune",
        description="A simulated Danish test kommune: ØiR, debitor system, PSRM; certification suites.",
    )
    parser.add_argument("--version", action="version", version=f"testkommune {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve the test kommune over HTTP on 127.0.0.1")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8585, help="port (default 8585; 0 picks a free one)")
    _db_option(serve, default=None)
    serve.add_argument("--clock", help="start every new tenant's clock frozen at this ISO date/time")
    serve.add_argument("--access", type=Path, help="access file (credentials, serviceaftaler); default: open")
    serve.add_argument("--tls-cert", type=Path, help="serve HTTPS with this certificate (PEM)")
    serve.add_argument("--tls-key", type=Path, help="the certificate's private key (PEM)")
    serve.add_argument(
        "--tls-client-ca", type=Path, help="require client certificates issued by this CA (mTLS rehearsal)"
    )
    serve.add_argument(
        "--debug-personal-data",
        action="store_true",
        help="log CPR numbers in full (by default logs show only their first six digits)",
    )
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    serve.add_argument("--log-file", type=Path, help="also log to this file, rotated by size")
    serve.add_argument(
        "--log-max-bytes", type=int, default=10 * 1024 * 1024, help="rotate the log file at this size"
    )
    serve.add_argument("--log-backups", type=int, default=5, help="rotated log files to keep (default 5)")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes sharing the state (N > 1 needs a PostgreSQL --db; default 1)",
    )

    certify = sub.add_parser("certify", help="run a scenario suite against a fagsystem")
    _certify_options(certify)

    demo = sub.add_parser("demo", help="certify the reference fagsystem and a broken variant, in-process")
    _db_option(demo, default=None)
    demo.add_argument("--report-dir", type=Path, default=DEFAULT_REPORT_DIR)
    demo.add_argument("--broken", default="overdrager-foer-srb", help="which broken variant to show failing")
    demo.add_argument("--language", choices=["en", "da"], default="en")

    sub.add_parser("suites", help="list the built-in suites and fagsystem variants")

    from testkommune.harness.evidence.command import add_evidence_commands

    add_evidence_commands(sub, serve)  # verify, key; serve --signing-key

    docs = sub.add_parser("docs", help="regenerate the catalogue pages (error codes, fordringstyper)")
    docs.add_argument("--out", type=Path, default=Path("docs"), help="folder to write into (default docs/)")

    load = sub.add_parser("load", help="load-test with Locust: a profile, SLOs and a GO/NO-GO report")
    _load_options(load)
    return parser


def _load_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", default="maanedskoersel", help="maanedskoersel, daglig or indhentning")
    parser.add_argument(
        "--target",
        choices=["simulators", "fagsystem"],
        default="simulators",
        help="simulators: send the messages straight to the test kommune (to size it); fagsystem: make a "
        "Fagsystem driver (--fagsystem) bill cases, so load goes vendor system → test kommune",
    )
    parser.add_argument("--fagsystem", help="with --target fagsystem: a built-in variant or module:attribute")
    parser.add_argument("--url", help="a running test kommune (default: start one as a child process)")
    parser.add_argument("--users", type=int, help="simulated fagsystem workers (default: the profile's)")
    parser.add_argument("--spawn-rate", type=float, help="users started per second (default: the profile's)")
    parser.add_argument("--run-time", help="e.g. 20s, 2m (default: the profile's)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic test data (default 1)")
    parser.add_argument("--slo", type=Path, help="SLO file (contract harness/slo; default: the built-in one)")
    parser.add_argument("--certification", type=Path, help="certification JSON report of the same version")
    parser.add_argument("--report-dir", type=Path, default=DEFAULT_REPORT_DIR)
    parser.add_argument("--kommune", default=DEFAULT_KOMMUNE, help="kommunenummer (default 851)")
    parser.add_argument("--system", help="anvendersystem id of the tenant (default load-<profile>)")
    parser.add_argument("--token", default=os.environ.get("TESTKOMMUNE_TOKEN"), help="access token")
    parser.add_argument(
        "--admin-token", default=os.environ.get("TESTKOMMUNE_ADMIN_TOKEN"), help="admin token"
    )
    role = parser.add_mutually_exclusive_group()
    role.add_argument("--master", action="store_true", help="run as Locust master; workers generate the load")
    role.add_argument("--worker", action="store_true", help="run as a Locust worker of --master-host")
    parser.add_argument("--expect-workers", type=int, default=1, help="with --master: workers to wait for")
    parser.add_argument("--master-host", default="127.0.0.1", help="with --worker: the master's address")
    parser.add_argument(
        "--master-bind-host", default="127.0.0.1", help="with --master: address to listen on (loopback)"
    )
    parser.add_argument("--master-port", type=int, default=5557, help="master's port (default 5557)")
    parser.add_argument(
        "--max-generator-cpu",
        type=float,
        default=90.0,
        help="a load generator above this mean %% of one core makes the run INVALID (default 90)",
    )


def _db_option(parser: argparse.ArgumentParser, default: str | None) -> None:
    parser.add_argument(
        "--db",
        default=default,
        help="state database: SQLAlchemy URL, file path or :memory: (default ./.testkommune/testkommune.db)",
    )


def _certify_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--suite", default="basis", help="built-in suite name or path to a suite YAML file")
    parser.add_argument(
        "--fagsystem",
        help="with --driver python: a built-in variant (see `testkommune suites`) or module:attribute",
    )
    parser.add_argument(
        "--driver",
        choices=["python", "http", "observe", "interactive"],
        default="python",
        help="how the harness makes the fagsystem act (default python); the choice never changes a verdict",
    )
    parser.add_argument("--trigger-url", help="with --driver http: the vendor's trigger endpoint")
    parser.add_argument(
        "--script",
        type=Path,
        default=Path("testkommune-script.jsonl"),
        help="with --driver observe: the test script file the vendor's system follows",
    )
    parser.add_argument(
        "--wait", type=float, default=60.0, help="observe/interactive: seconds to wait per step"
    )
    parser.add_argument("--url", help="a running test kommune (default: start one in-process)")
    parser.add_argument(
        "--token",
        default=os.environ.get("TESTKOMMUNE_TOKEN"),
        help="your access token for a closed test kommune (env TESTKOMMUNE_TOKEN)",
    )
    parser.add_argument(
        "--admin-token",
        default=os.environ.get("TESTKOMMUNE_ADMIN_TOKEN"),
        help="the admin token the harness steers the clock with (env TESTKOMMUNE_ADMIN_TOKEN)",
    )
    parser.add_argument("--db", default=":memory:", help="state database for the in-process test kommune")
    parser.add_argument("--kommune", default=DEFAULT_KOMMUNE, help="kommunenummer to act in (default 851)")
    parser.add_argument("--system", help="your anvendersystem id (default: the fagsystem's name)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic test data (default 1)")
    parser.add_argument(
        "--scenario", action="append", default=[], help="run only this scenario id (repeatable)"
    )
    parser.add_argument("--report-dir", type=Path, default=DEFAULT_REPORT_DIR)
    parser.add_argument("--language", choices=["en", "da"], default="en")
    parser.add_argument(
        "--vendor", default="unnamed vendor", help="the vendor named in the conformance statement"
    )
    parser.add_argument("--role", default=DEFAULT_ROLE, help="the role certified (conformance statement)")
    parser.add_argument(
        "--signing-key",
        type=Path,
        default=None,
        help="Ed25519 key that signs the evidence (default .testkommune/signing-key.pem)",
    )


def store_url(db: str | None) -> str:
    from testkommune.simulators.store import DEFAULT_URL

    if db is None:
        return DEFAULT_URL
    if db in (":memory:", "memory") or "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser()}"


def resolve_fagsystem(spec: str) -> Any:
    """A built-in variant name, or `module:attribute` naming a class or factory of a driver object."""
    from testkommune.contracts.driver import Fagsystem
    from testkommune.scenarios.fagsystemer import VARIANTS

    if spec in VARIANTS:
        return VARIANTS[spec]()
    module_name, _, attribute = spec.partition(":")
    if not attribute:
        raise UsageError(f"unknown fagsystem {spec!r}: use one of {', '.join(VARIANTS)} or module:attribute")
    try:
        target = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise UsageError(f"cannot load fagsystem {spec!r}: {exc}") from exc
    fagsystem = target() if callable(target) else target
    if not isinstance(fagsystem, Fagsystem):
        raise UsageError(
            f"{spec!r} does not implement the driver protocol (name, version, connect, bill, run_daily)"
        )
    return fagsystem


def run(argv: Sequence[str] | None = None, stdout: IO[str] | None = None) -> int:
    """Parse `argv` and run the command; returns the exit code."""
    stdout = stdout or sys.stdout
    args = _parser().parse_args(argv)
    if args.command == "load":  # before anything imports ssl: Locust's gevent patches it first
        return _load(args, stdout)
    from testkommune.harness.certify.client import KommuneUnavailableError
    from testkommune.harness.certify.runner import HarnessProblemError
    from testkommune.harness.certify.suite import SuiteError
    from testkommune.simulators.access import AccessFileError
    from testkommune.simulators.store import StoreVersionError

    try:
        if args.command == "serve":
            return _serve(args, stdout)
        if args.command == "certify":
            return _certify(args, stdout)
        if args.command == "demo":
            return _demo(args, stdout)
        if args.command == "suites":
            return _suites(stdout)
        if args.command == "docs":
            return _docs(args, stdout)
        if args.command in ("verify", "key"):
            return _evidence(args, stdout)
    except (
        UsageError,
        SuiteError,
        HarnessProblemError,
        KommuneUnavailableError,
        StoreVersionError,
        AccessFileError,
    ) as exc:
        print(f"testkommune: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_USAGE


def _console(stdout: IO[str]) -> Any:
    from rich.console import Console

    return Console(file=stdout, highlight=False)


def _serve(args: argparse.Namespace, stdout: IO[str]) -> int:
    from testkommune.contracts.clock import ClockState, check_supported, parse_instant
    from testkommune.harness.server import serve_forever

    start = None
    if args.clock:
        try:
            start = ClockState.frozen_at(check_supported(parse_instant(args.clock)))
        except ValueError as exc:
            raise UsageError(f"--clock: {exc}") from exc
    access = None
    if args.access:
        from testkommune.simulators.access import load_policy

        access = load_policy(args.access)
    url = store_url(args.db)
    scheme = "https" if args.tls_cert else "http"
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.workers > 1 and not url.startswith("postgresql"):
        raise UsageError(
            "--workers > 1 needs a PostgreSQL --db (postgresql+psycopg://…): SQLite has one writer at a time"
        )
    workers = f"; {args.workers} workers" if args.workers > 1 else ""
    log_file = None
    if args.log_file:
        from testkommune.harness.server import LogFile

        if args.log_max_bytes < 1024 or args.log_backups < 1:
            raise UsageError("--log-max-bytes must be at least 1024 and --log-backups at least 1")
        log_file = LogFile(args.log_file, args.log_max_bytes, args.log_backups)
    print(
        f"testkommune {__version__} serving on {scheme}://{args.host}:{args.port} (state: {url}{workers}); "
        f"OpenAPI at /openapi.json; Ctrl-C stops",
        file=stdout,
        flush=True,
    )
    try:
        options: dict[str, Any] = {
            "host": args.host,
            "port": args.port,
            "start_clock": start,
            "log_level": args.log_level,
            "access": access,
            "debug_personal_data": args.debug_personal_data,
            "tls": _tls(args),
            "log_file": log_file,
            "signing_key": args.signing_key,
        }
        if args.workers > 1:
            from testkommune.harness.server import serve_workers

            return serve_workers(url, workers=args.workers, **options)
        serve_forever(url, **options)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc}") from exc
    return EXIT_OK


def _tls(args: argparse.Namespace) -> Any:
    from testkommune.harness.server import Tls

    given = [args.tls_cert, args.tls_key, args.tls_client_ca]
    if not any(given):
        return None
    if not all(given):
        raise UsageError("mTLS needs --tls-cert, --tls-key and --tls-client-ca together")
    missing = [str(p) for p in given if not p.is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    return Tls(args.tls_cert, args.tls_key, args.tls_client_ca)


def certify_once(
    *,
    suite_name: str,
    fagsystem: Any,
    base_url: str,
    kommune: str,
    system: str,
    seed: int,
    scenarios: Sequence[str],
    report_dir: Path,
    console: Any,
    language: str,
    fagsystem_spec: str | None = None,
    token: str | None = None,
    admin_token: str | None = None,
    vendor: str = "unnamed vendor",
    role: str = DEFAULT_ROLE,
    signing_key: Path | None = None,
    driver: str = "python",
) -> tuple[Any, dict[str, Path]]:
    """Run one suite and write its reports; returns the result and the report paths."""
    from testkommune.contracts.driver import KommuneConnection
    from testkommune.harness.certify.runner import Runner
    from testkommune.harness.certify.suite import load_suite
    from testkommune.harness.evidence import EvidenceRecorder, write_bundle
    from testkommune.harness.evidence.signing import DEFAULT_KEY, load_or_create
    from testkommune.harness.reporting import ConsoleReporter, write_html, write_json, write_junit
    from testkommune.harness.reporting.names import inside, report_stem

    suite = load_suite(suite_name)
    unknown = sorted(set(scenarios) - {s.id for s in suite.scenarios})
    if unknown:
        raise UsageError(f"suite {suite.id} has no scenario {', '.join(unknown)}")
    connection = KommuneConnection(base_url, kommune, system, token)
    recorder = EvidenceRecorder()
    runner = Runner(
        suite,
        fagsystem,
        connection,
        seed=seed,
        handlers=[ConsoleReporter(console, language=language), recorder],
        fagsystem_spec=fagsystem_spec,
        admin_token=admin_token,
        driver=driver,
    )
    result = runner.run(only=scenarios or None)
    stem = inside(report_dir, report_stem(suite.id, str(fagsystem.name))).name  # vendor text: made safe
    paths = {
        "json": write_json(result, report_dir / f"{stem}.json"),
        "junit": write_junit(result, report_dir / f"{stem}.xml"),
        "html": write_html(result, report_dir / f"{stem}.html", language=language),
    }
    paths["evidence"] = write_bundle(
        recorder, report_dir / stem, key=load_or_create(signing_key or DEFAULT_KEY), vendor=vendor, role=role
    )
    for kind, path in paths.items():
        console.print(f"  {kind} report: {path}")
    return result, paths


def _system_id(fagsystem: Any, explicit: str | None) -> str:
    from testkommune.simulators.tenancy import SYSTEM_ID

    system = explicit or str(fagsystem.name).lower()
    if not SYSTEM_ID.fullmatch(system):
        raise UsageError(f"--system {system!r} must be a lowercase id (letters, digits, . _ -)")
    return system


def _driver(args: argparse.Namespace, stdout: IO[str]) -> Any:
    """The fagsystem as the chosen driver reaches it."""
    from testkommune.harness.certify.client import AdminClient
    from testkommune.harness.certify.drivers import (
        DriverError,
        HttpTriggerDriver,
        InteractiveDriver,
        ObservationDriver,
    )

    def admin(connection: Any) -> AdminClient:
        token = args.admin_token or args.token  # a vendor token with admin rights over its own tenants
        return AdminClient(connection.base_url, connection.kommune, connection.system, token=token)

    if args.driver == "python":
        if not args.fagsystem:
            raise UsageError("--driver python needs --fagsystem (a built-in variant or module:attribute)")
        return resolve_fagsystem(args.fagsystem)
    if args.driver == "http":
        if not args.trigger_url:
            raise UsageError("--driver http needs --trigger-url")
        try:
            return HttpTriggerDriver(args.trigger_url)
        except DriverError as exc:
            raise UsageError(str(exc)) from exc
    if args.driver == "observe":
        print(
            f"Follow the test script in {args.script} (JSON lines); up to {args.wait:.0f} s per step.",
            file=stdout,
            flush=True,
        )
        return ObservationDriver(args.script, admin, timeout=args.wait)
    return InteractiveDriver(admin, out=stdout, inp=sys.stdin, timeout=args.wait)


def _certify(args: argparse.Namespace, stdout: IO[str]) -> int:
    from testkommune.harness.server import start_in_thread

    fagsystem = _driver(args, stdout)
    system = _system_id(fagsystem, args.system)
    console = _console(stdout)
    if args.url:
        return _verdict_code(_certify_at(args, fagsystem, system, args.url, console))
    with start_in_thread(store_url(args.db)) as kommune:
        return _verdict_code(_certify_at(args, fagsystem, system, kommune.base_url, console))


def _certify_at(args: argparse.Namespace, fagsystem: Any, system: str, base_url: str, console: Any) -> Any:
    result, _ = certify_once(
        suite_name=args.suite,
        fagsystem=fagsystem,
        base_url=base_url,
        kommune=args.kommune,
        system=system,
        seed=args.seed,
        scenarios=args.scenario,
        report_dir=args.report_dir,
        console=console,
        language=args.language,
        fagsystem_spec=args.fagsystem or f"<{args.driver}>",
        token=args.token,
        admin_token=args.admin_token or args.token,  # a vendor token may carry admin rights (access file)
        vendor=args.vendor,
        role=args.role,
        signing_key=args.signing_key,
        driver=args.driver,
    )
    return result


def _verdict_code(result: Any) -> int:
    return EXIT_OK if result.passed else EXIT_FAILED


def _demo(args: argparse.Namespace, stdout: IO[str]) -> int:
    """The main job: a test kommune on the embedded SQLite default, two certifications, two verdicts."""
    from testkommune.harness.reporting import summary_line
    from testkommune.harness.server import start_in_thread
    from testkommune.scenarios.fagsystemer import VARIANTS

    if args.broken not in VARIANTS or args.broken == "reference":
        raise UsageError(f"--broken must be one of {', '.join(v for v in VARIANTS if v != 'reference')}")
    console = _console(stdout)
    url = store_url(args.db)
    verdicts = []
    with start_in_thread(url) as kommune:
        console.print(
            f"[bold]testkommune {__version__}[/] — test kommune running at {kommune.base_url} (state: {url})"
        )
        for variant in ("reference", args.broken):
            fagsystem = VARIANTS[variant]()
            console.print(f"\n[bold]Certifying {fagsystem.name}[/] ({variant})")
            result, paths = certify_once(
                suite_name="basis",
                fagsystem=fagsystem,
                base_url=kommune.base_url,
                kommune=DEFAULT_KOMMUNE,
                system=_system_id(fagsystem, None),
                seed=1,
                scenarios=(),
                report_dir=args.report_dir,
                console=console,
                language=args.language,
                fagsystem_spec=variant,
            )
            verdicts.append((fagsystem.name, result, paths))
    console.print("\n[bold]Verdicts[/]")
    for name, result, paths in verdicts:
        console.print(f"  {name}: {summary_line(result)}  → {paths['json']}")
    reference_ok = verdicts[0][1].passed
    broken_caught = not verdicts[1][1].passed
    console.print(
        "Demo behaved as expected: the reference passed and the broken variant was caught."
        if reference_ok and broken_caught
        else "Demo did NOT behave as expected."
    )
    return EXIT_OK if reference_ok and broken_caught else EXIT_FAILED


def _suites(stdout: IO[str]) -> int:
    from testkommune.harness.certify.suite import builtin_suites, load_suite
    from testkommune.scenarios.fagsystemer import VARIANTS

    console = _console(stdout)
    console.print("[bold]Suites[/]")
    for name in builtin_suites():
        suite = load_suite(name)
        console.print(f"  {name}: {suite.title_en} ({len(suite.scenarios)} scenarios)")
        for scenario in suite.scenarios:
            console.print(f"    {scenario.id}  {scenario.title_en}")
    console.print("[bold]Fagsystem variants[/] (--fagsystem)")
    for name, cls in VARIANTS.items():
        console.print(f"  {name}: {(cls.__doc__ or '').strip().splitlines()[0]}")
    return EXIT_OK


def _docs(args: argparse.Namespace, stdout: IO[str]) -> int:
    from testkommune.harness.docs import write_pages

    for path in write_pages(args.out):
        print(f"wrote {path}", file=stdout)
    return EXIT_OK


def _evidence(args: argparse.Namespace, stdout: IO[str]) -> int:
    """`verify` (exit 0 verified+PASSED, 1 verified+FAILED, 3 not verified or UNTRUSTED) and `key`."""
    from testkommune.harness.evidence.command import EvidenceUsageError, key_command, verify_command

    try:
        if args.command == "key":
            return key_command(args, stdout)
        return verify_command(args, _console(stdout))
    except EvidenceUsageError as exc:
        raise UsageError(str(exc)) from exc


def _load(args: argparse.Namespace, stdout: IO[str]) -> int:
    """Exit 0 when every SLO holds on a valid run, 1 on a breach or an INVALID run, 2 on a usage error."""
    try:
        import locust  # noqa: F401  (first: gevent's monkey patching)
    except ImportError:
        from testkommune.harness.load import INSTALL_HINT

        print(f"testkommune: error: {INSTALL_HINT}", file=sys.stderr)
        return EXIT_USAGE
    from testkommune.harness.load.command import LoadUsageError, load_command

    try:
        return load_command(args, _console(stdout), resolve_fagsystem)
    except (LoadUsageError, UsageError) as exc:
        print(f"testkommune: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def main() -> None:
    sys.exit(run())
