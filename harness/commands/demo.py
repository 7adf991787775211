"""`testkommune demo`: certify the reference fagsystem and a broken variant, and show both verdicts."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import IO, Any

from testkommune.contracts.errors import UsageError
from testkommune.harness import __version__
from testkommune.harness.commands.certify import certify_once
from testkommune.harness.commands.common import (
    DEFAULT_KOMMUNE,
    DEFAULT_REPORT_DIR,
    EXIT_FAILED,
    EXIT_OK,
    add_db_option,
    console,
    epilog,
    require_database_driver,
    store_url,
    suggest,
    system_id,
)

HELP = "certify the reference fagsystem and a broken variant, in-process"
DESCRIPTION = (
    "The project in one command: start a test kommune on the default database, certify the reference "
    "fagsystem (it passes) and one broken variant (it is caught, with the failing code, the fix and how "
    "to replay it), and write every report."
)
EXAMPLES = """\
  testkommune demo
  testkommune demo --broken periode-omvendt --language da"""


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("demo", help=HELP, description=DESCRIPTION, epilog=epilog(EXAMPLES))
    add_db_option(parser)
    parser.add_argument("--report-dir", type=Path, default=DEFAULT_REPORT_DIR)
    parser.add_argument(
        "--broken", default="overdrager-foer-srb", help="which broken variant to show failing"
    )
    parser.add_argument("--language", choices=["en", "da"], default="en")


def run(args: argparse.Namespace, stdout: IO[str]) -> int:
    from testkommune.harness.server import start_in_thread
    from testkommune.scenarios.fagsystemer import VARIANTS

    broken = [v for v in VARIANTS if v != "reference"]
    if args.broken not in broken:
        raise UsageError(
            f"--broken {args.broken!r} is not a broken variant.{suggest(args.broken, broken)}",
            hint=f"one of {', '.join(broken)}",
        )
    out = console(stdout)
    url = store_url(args.db)
    require_database_driver(url)
    with start_in_thread(url) as kommune:
        out.print(
            f"[bold]testkommune {__version__}[/] — test kommune running at {kommune.base_url} (state: {url})"
        )
        verdicts = [_certify(args, variant, kommune.base_url, out) for variant in ("reference", args.broken)]
    return _summary(out, verdicts)


def _certify(
    args: argparse.Namespace, variant: str, base_url: str, out: Any
) -> tuple[str, Any, dict[str, Path]]:
    from testkommune.scenarios.fagsystemer import VARIANTS

    fagsystem = VARIANTS[variant]()
    out.print(f"\n[bold]Certifying {fagsystem.name}[/] ({variant})")
    result, paths = certify_once(
        suite_name="basis",
        fagsystem=fagsystem,
        base_url=base_url,
        kommune=DEFAULT_KOMMUNE,
        system=system_id(fagsystem, None),
        seed=1,
        scenarios=(),
        report_dir=args.report_dir,
        console=out,
        language=args.language,
        fagsystem_spec=variant,
    )
    return fagsystem.name, result, paths


def _summary(out: Any, verdicts: list[tuple[str, Any, dict[str, Path]]]) -> int:
    from testkommune.harness.reporting import summary_line

    out.print("\n[bold]Verdicts[/]")
    for name, result, paths in verdicts:
        out.print(f"  {name}: {summary_line(result)}  → {paths['json']}")
    as_expected = verdicts[0][1].passed and not verdicts[1][1].passed
    out.print(
        "Demo behaved as expected: the reference passed and the broken variant was caught."
        if as_expected
        else "Demo did NOT behave as expected."
    )
    return EXIT_OK if as_expected else EXIT_FAILED
