"""`testkommune suites` and `testkommune docs`: what can be run, and the generated catalogue pages."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import IO, Any

from testkommune.harness.commands.common import EXIT_OK, console, epilog

SUITES_HELP = "list the built-in suites, their scenarios and the fagsystem variants"
DOCS_HELP = "regenerate the catalogue pages (error codes, fordringstyper)"


def add_parsers(sub: Any) -> None:
    sub.add_parser(
        "suites",
        help=SUITES_HELP,
        description="List the built-in suites with their scenario ids, and the built-in fagsystem variants "
        "(the names --suite, --scenario and --fagsystem accept).",
        epilog=epilog("  testkommune suites"),
    )
    docs = sub.add_parser(
        "docs",
        help=DOCS_HELP,
        description="Write the Markdown catalogue pages generated from the contracts' reference data.",
        epilog=epilog("  testkommune docs\n  testkommune docs --out build/docs"),
    )
    docs.add_argument("--out", type=Path, default=Path("docs"), help="folder to write into (default docs/)")


def run_suites(args: argparse.Namespace, stdout: IO[str]) -> int:
    from testkommune.harness.certify.suite import builtin_suites, load_suite
    from testkommune.scenarios.fagsystemer import VARIANTS

    out = console(stdout)
    out.print("[bold]Suites[/]")
    for name in builtin_suites():
        suite = load_suite(name)
        out.print(f"  {name}: {suite.title_en} ({len(suite.scenarios)} scenarios)")
        for scenario in suite.scenarios:
            out.print(f"    {scenario.id}  {scenario.title_en}")
    out.print("[bold]Fagsystem variants[/] (--fagsystem)")
    for name, cls in VARIANTS.items():
        out.print(f"  {name}: {(cls.__doc__ or '').strip().splitlines()[0]}")
    return EXIT_OK


def run_docs(args: argparse.Namespace, stdout: IO[str]) -> int:
    from testkommune.harness.docs import write_pages

    for path in write_pages(args.out):
        print(f"wrote {path}", file=stdout)
    return EXIT_OK
