"""`testkommune certify`: run a suite against a fagsystem, write the reports and the signed evidence."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from testkommune.contracts.errors import SetupError, UsageError
from testkommune.harness.commands import attestation
from testkommune.harness.commands.common import (
    DEFAULT_KOMMUNE,
    DEFAULT_REPORT_DIR,
    DEFAULT_ROLE,
    EXIT_FAILED,
    EXIT_OK,
    add_db_option,
    check_url,
    console,
    epilog,
    probe_kommune,
    require_database_driver,
    resolve_fagsystem,
    store_url,
    suggest,
    system_id,
    unreachable_reason,
)

HELP = "run a scenario suite against a fagsystem"
DESCRIPTION = (
    "Run a certification suite against a fagsystem and judge it: a console verdict, JSON, JUnit and HTML "
    "reports and a signed evidence bundle in --report-dir. Without --url a test kommune is started "
    "in-process on the default database. The driver only decides how the fagsystem is made to act; it "
    "never changes a verdict."
)
EXAMPLES = """\
  testkommune certify --fagsystem reference
  testkommune certify --fagsystem reference --suite all --db :memory:
  testkommune certify --suite basis --scenario BASIS-01 --fagsystem mypackage.integration:MyFagsystem
  testkommune certify --driver http --trigger-url http://127.0.0.1:9000 --url http://127.0.0.1:8585
  testkommune certify --driver observe --script script.jsonl --url http://127.0.0.1:8585
  testkommune certify --driver observe --conformance statement.json --suite livsforloeb"""


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("certify", help=HELP, description=DESCRIPTION, epilog=epilog(EXAMPLES))
    _what_options(parser)
    _where_options(parser)
    _report_options(parser)


def _what_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--suite",
        default="basis",
        help="built-in suite name, path to a suite YAML file, or `all`: every built-in suite in one run",
    )
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
    parser.add_argument(
        "--conformance",
        type=Path,
        metavar="FILE",
        help=(
            "with --driver observe, interactive or http: the system's conformance statement, JSON or YAML "
            '(contract harness/conformance, e.g. {"role": "psrm-s2s", "events": ["debtor_paid"]}): its '
            "integration role and the events it handles; other steps end NOT SUPPORTED. It replaces what "
            "a trigger endpoint declares"
        ),
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic test data (default 1)")
    parser.add_argument(
        "--scenario", action="append", default=[], help="run only this scenario id (repeatable)"
    )


def _where_options(parser: argparse.ArgumentParser) -> None:
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
    add_db_option(parser)
    parser.add_argument("--kommune", default=DEFAULT_KOMMUNE, help="kommunenummer to act in (default 851)")
    parser.add_argument("--system", help="your anvendersystem id (default: the fagsystem's name)")


def _report_options(parser: argparse.ArgumentParser) -> None:
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


ALL_SUITES = "all"


def suite_names(name: str) -> list[str]:
    """The suites `--suite` names: one, or with `all` every built-in suite (the full certification)."""
    from testkommune.harness.certify.suite import builtin_suites

    return list(builtin_suites()) if name == ALL_SUITES else [name]


def check_scenarios(suite: Any, scenarios: Sequence[str], among: Sequence[Any] = ()) -> None:
    """Refuse scenario ids the suite (or every suite `among`) does not have, listing the ones it has."""
    known = [s.id for each in (among or [suite]) for s in each.scenarios]
    unknown = [s for s in scenarios if s not in known]
    if unknown:
        raise UsageError(
            f"suite {suite.id} has no scenario {', '.join(unknown)}.{suggest(unknown[0], known)}",
            hint=f"its scenarios: {', '.join(known)}",
        )


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
    attest: bool = False,
) -> tuple[Any, dict[str, Path]]:
    """Run one suite and write its reports; returns the result and the report paths. `attest`: ask the
    test kommune to attest the evidence bundle (harness/evidence/attest.py)."""
    from testkommune.contracts.driver import KommuneConnection
    from testkommune.harness.certify.runner import Runner
    from testkommune.harness.certify.suite import load_suite
    from testkommune.harness.evidence import EvidenceRecorder
    from testkommune.harness.reporting import ConsoleReporter

    suite = load_suite(suite_name)
    check_scenarios(suite, scenarios)
    recorder = EvidenceRecorder()
    runner = Runner(
        suite,
        fagsystem,
        KommuneConnection(base_url, kommune, system, token),
        seed=seed,
        handlers=[ConsoleReporter(console, language=language), recorder],
        fagsystem_spec=fagsystem_spec,
        admin_token=admin_token,
        driver=driver,
    )
    attestor = None
    if attest:
        attestor = attestation.start(base_url, kommune, system, admin_token or token, console)
    result = runner.run(only=scenarios or None)
    paths = write_all(
        result, recorder, report_dir, language=language, vendor=vendor, role=role, key=signing_key
    )
    if attestor is not None:
        attestation.attest(attestor, paths["evidence"], console)
    for kind, path in paths.items():
        console.print(f"  {kind} report: {path}")
    failing = [s.scenario_id for s in result.scenarios if s.outcome != "passed"]
    if failing:
        console.print(f"  replay a failure after this run: testkommune replay {paths['json']} {failing[0]}")
    return result, paths


def write_all(
    result: Any, recorder: Any, report_dir: Path, *, language: str, vendor: str, role: str, key: Path | None
) -> dict[str, Path]:
    """The JSON, JUnit and HTML reports and the signed evidence bundle of one run."""
    from testkommune.harness.evidence import write_bundle
    from testkommune.harness.evidence.signing import DEFAULT_KEY, fingerprint, load_or_create
    from testkommune.harness.reporting import write_html, write_json, write_junit
    from testkommune.harness.reporting.html import Signing
    from testkommune.harness.reporting.names import inside, report_stem

    stem = inside(
        report_dir, report_stem(result.suite_id, str(result.fagsystem))
    ).name  # vendor text: made safe
    signing_key = load_or_create(key or DEFAULT_KEY)
    signing = Signing(vendor, fingerprint(signing_key.public_key()))
    paths = {
        "json": write_json(result, report_dir / f"{stem}.json"),
        "junit": write_junit(result, report_dir / f"{stem}.xml"),
        "html": write_html(result, report_dir / f"{stem}.html", language=language, signing=signing),
    }
    paths["evidence"] = write_bundle(recorder, report_dir / stem, key=signing_key, vendor=vendor, role=role)
    return paths


def driver_spec(args: argparse.Namespace) -> str:
    """How the run was driven, as the options that drive it again (reports print it in replay lines)."""
    if args.driver == "python":
        return str(args.fagsystem)
    if args.driver == "http":
        return f"<http {args.trigger_url}>"
    if args.driver == "observe":
        return f"<observe {args.script}>"
    return "<interactive>"


def make_driver(args: argparse.Namespace, stdout: IO[str]) -> Any:
    """The fagsystem as the chosen driver reaches it."""
    from testkommune.harness.certify.client import AdminClient
    from testkommune.harness.certify.drivers import InteractiveDriver, ObservationDriver

    def admin(connection: Any) -> AdminClient:
        token = args.admin_token or args.token  # a vendor token with admin rights over its own tenants
        return AdminClient(connection.base_url, connection.kommune, connection.system, token=token)

    statement = _conformance(args)
    if args.driver == "python":
        if not args.fagsystem:
            raise UsageError(
                "--driver python needs --fagsystem",
                hint="e.g. --fagsystem reference (see `testkommune suites`)",
            )
        return resolve_fagsystem(args.fagsystem)
    if args.driver == "http":
        if not args.trigger_url:
            raise UsageError(
                "--driver http needs --trigger-url", hint="e.g. --trigger-url http://127.0.0.1:9000"
            )
        driver = trigger_driver(check_url("--trigger-url", args.trigger_url))
        driver.conformance = statement or driver.conformance
        return driver
    if args.driver == "observe":
        print(
            f"Follow the test script in {args.script} (JSON lines); up to {args.wait:.0f} s per step.",
            file=stdout,
            flush=True,
        )
        return ObservationDriver(args.script, admin, timeout=args.wait, conformance=statement)
    return InteractiveDriver(admin, out=stdout, inp=sys.stdin, timeout=args.wait, conformance=statement)


def _conformance(args: argparse.Namespace) -> Any:
    """The statement `--conformance` names (None without one); a Python fagsystem declares its own."""
    if args.conformance is None:
        return None
    if args.driver == "python":
        raise UsageError(
            "--conformance is for --driver observe, interactive or http",
            hint="a Python fagsystem declares its own statement: its attribute `conformance`",
        )
    from testkommune.harness.certify.conformance_file import load_conformance

    return load_conformance(args.conformance)


def trigger_driver(url: str) -> Any:
    """The HTTP trigger driver, or one line saying why the trigger endpoint cannot be used."""
    import requests
    from testkommune.harness.certify.drivers import DriverError, HttpTriggerDriver

    try:
        return HttpTriggerDriver(url)
    except DriverError as exc:
        if isinstance(exc.__cause__, requests.RequestException):
            raise SetupError(
                f"the trigger endpoint at {url} did not answer ({unreachable_reason(exc.__cause__)})",
                hint="start your trigger (the shape: `testkommune trigger-sample --port 9000`)",
            ) from None
        raise


def run(args: argparse.Namespace, stdout: IO[str]) -> int:
    from testkommune.harness.certify.suite import load_suite

    url = check_url("--url", args.url) if args.url else None
    suites = [load_suite(name) for name in suite_names(args.suite)]
    check_scenarios(suites[0], args.scenario, suites)
    if url:
        probe_kommune(url, args.token)
    db = store_url(args.db)
    require_database_driver(db)
    fagsystem = make_driver(args, stdout)
    system = system_id(fagsystem, args.system)
    out = console(stdout)
    if url:
        return _verdict_code(_certify_at(args, fagsystem, system, url, out, attest=True))
    from testkommune.harness.server import start_in_thread

    with start_in_thread(db) as kommune:
        return _verdict_code(_certify_at(args, fagsystem, system, kommune.base_url, out))


def _certify_at(
    args: argparse.Namespace, fagsystem: Any, system: str, base_url: str, out: Any, *, attest: bool = False
) -> bool:
    """Run the suite (or with `--suite all` every built-in suite, one after the other in the same kommune);
    the verdict fails when any suite fails. `attest`: a running (shared) kommune vouches for what it
    observed."""
    import time

    from testkommune.harness.certify.suite import load_suite

    began = time.monotonic()
    results = []
    for name in suite_names(args.suite):
        wanted = [s.id for s in load_suite(name).scenarios if s.id in args.scenario]
        if args.scenario and not wanted:
            continue  # with --suite all and --scenario: only the suites that hold one
        results.append(_certify_suite(args, fagsystem, system, base_url, out, name, wanted, attest=attest))
    if args.suite == ALL_SUITES:
        outcomes = [s.outcome for r in results for s in r.scenarios]
        counts = ", ".join(f"{outcomes.count(o)} {o.replace('_', ' ')}" for o in sorted(set(outcomes)))
        verdict = "PASSED" if all(r.passed for r in results) else "FAILED"
        seconds = time.monotonic() - began
        scope = f"{len(results)} suites, {len(outcomes)} scenarios: {counts}"
        out.print(f"ALL SUITES: {verdict} ({scope}) in {seconds:.1f} s")
    return all(r.passed for r in results)


def _certify_suite(
    args: argparse.Namespace,
    fagsystem: Any,
    system: str,
    base_url: str,
    out: Any,
    suite_name: str,
    scenarios: Sequence[str],
    *,
    attest: bool = False,
) -> Any:
    result, _ = certify_once(
        suite_name=suite_name,
        fagsystem=fagsystem,
        base_url=base_url,
        kommune=args.kommune,
        system=system,
        seed=args.seed,
        scenarios=scenarios,
        report_dir=args.report_dir,
        console=out,
        language=args.language,
        fagsystem_spec=driver_spec(args),
        token=args.token,
        admin_token=args.admin_token or args.token,  # a vendor token may carry admin rights (access file)
        vendor=args.vendor,
        role=args.role,
        signing_key=args.signing_key,
        driver=args.driver,
        attest=attest,
    )
    return result


def _verdict_code(passed: bool) -> int:
    return EXIT_OK if passed else EXIT_FAILED
