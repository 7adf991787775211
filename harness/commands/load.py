"""`testkommune load`: the options of a Locust load run; the run itself lives in harness/load."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import IO, Any

from testkommune.contracts.errors import SetupError
from testkommune.harness.commands.common import (
    DEFAULT_KOMMUNE,
    DEFAULT_REPORT_DIR,
    check_url,
    console,
    epilog,
    port,
    probe_kommune,
    resolve_fagsystem,
)

HELP = "load-test with Locust: a profile, SLOs and a GO/NO-GO report"
DESCRIPTION = (
    "Send a load profile's messages with Locust and judge the run: SLOs, every acknowledged message stored "
    "exactly once, the load generator's CPU, and a PASSED certification of the same fagsystem version. "
    "GO needs all of them and a run long and large enough to judge (the profile's minimums); anything "
    "else is NO-GO and exits 1. Needs the load extra: pip install 'testkommune[load]'."
)
EXAMPLES = """\
  testkommune load --profile maanedskoersel
  testkommune load --profile daglig --certification testkommune-reports/basis-foraeldrebetaling.json
  testkommune load --target fagsystem --fagsystem reference --users 20 --run-time 2m
  testkommune load --master --expect-workers 2   # and on each worker: testkommune load --worker"""


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("load", help=HELP, description=DESCRIPTION, epilog=epilog(EXAMPLES))
    _run_options(parser)
    _distributed_options(parser)


def _run_options(parser: argparse.ArgumentParser) -> None:
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


def _distributed_options(parser: argparse.ArgumentParser) -> None:
    role = parser.add_mutually_exclusive_group()
    role.add_argument("--master", action="store_true", help="run as Locust master; workers generate the load")
    role.add_argument("--worker", action="store_true", help="run as a Locust worker of --master-host")
    parser.add_argument("--expect-workers", type=int, default=1, help="with --master: workers to wait for")
    parser.add_argument("--master-host", default="127.0.0.1", help="with --worker: the master's address")
    parser.add_argument(
        "--master-bind-host", default="127.0.0.1", help="with --master: address to listen on (loopback)"
    )
    parser.add_argument("--master-port", type=port, default=5557, help="master's port (default 5557)")
    parser.add_argument(
        "--max-generator-cpu",
        type=float,
        default=90.0,
        help="a load generator above this mean %% of one core makes the run INVALID (default 90)",
    )


def run(args: argparse.Namespace, stdout: IO[str]) -> int:
    """Exit 0 on GO, 1 on NO-GO (a breach, an INVALID or too small run, no passed certification)."""
    try:
        import locust  # noqa: F401  (first: gevent's monkey patching)
    except ImportError:
        from testkommune.harness.load import INSTALL_HINT

        raise SetupError(INSTALL_HINT) from None
    from testkommune.harness.load.command import load_command

    if args.url and not args.worker:
        args.url = check_url("--url", args.url)
        probe_kommune(args.url, args.token)
    return load_command(args, console(stdout), resolve_fagsystem)
