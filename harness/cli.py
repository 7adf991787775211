"""The `testkommune` command: the parser and the dispatcher; each command lives in harness/commands/.

Exit codes: 0 everything passed, 1 something failed, 2 usage or environment error (`verify`: 3 not
verified or untrusted; see harness/evidence/command.py). A usage or environment
error is any `TestkommuneError` (testkommune.contracts.errors): one line on stderr with a hint, never a
traceback. A flag or a command that is almost right gets a "did you mean".
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from typing import IO, Any, NoReturn

from testkommune.contracts.errors import TestkommuneError
from testkommune.harness import __version__
from testkommune.harness.commands import (
    catalogue,
    certify,
    demo,
    evidence,
    load,
    replay,
    serve,
    trigger_sample,
)
from testkommune.harness.commands.certify import certify_once
from testkommune.harness.commands.common import (
    DEFAULT_KOMMUNE,
    DEFAULT_REPORT_DIR,
    DEFAULT_ROLE,
    EXIT_CODES,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    environment_problem,
    print_error,
    resolve_fagsystem,
    store_url,
    suggest,
)

__all__ = [
    "DEFAULT_KOMMUNE",
    "DEFAULT_REPORT_DIR",
    "DEFAULT_ROLE",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "certify_once",
    "main",
    "resolve_fagsystem",
    "run",
    "store_url",
]

Command = Callable[[argparse.Namespace, IO[str]], int]
COMMANDS: dict[str, Command] = {
    "serve": serve.run,
    "certify": certify.run,
    "demo": demo.run,
    "suites": catalogue.run_suites,
    "verify": evidence.run,
    "key": evidence.run,
    "docs": catalogue.run_docs,
    "load": load.run,
    "replay": replay.run,
    "trigger-sample": trigger_sample.run,
}
_INVALID_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)")


class Parser(argparse.ArgumentParser):
    """argparse with a "did you mean" for a mistyped command or choice, errors as one line and a hint, and
    examples kept as written."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        match = _INVALID_CHOICE.search(message)
        if match:
            choices = re.findall(r"'([^']*)'", match.group(2))
            message = f"invalid choice {match.group(1)!r}.{suggest(match.group(1), choices)}"
            message += f" Choose from {', '.join(choices)}."
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n  hint: see `{self.prog} --help`\n")


def build_parser() -> Parser:
    parser = Parser(
        prog="testkommune",
        description="A simulated Danish test kommune: ØiR, debitor system, PSRM, ERP, NemKonto and "
        "Klassifikation; certification suites, evidence and load runs for fagsystem vendors.",
        epilog=f"Run `testkommune COMMAND --help` for a command's options and examples.\n\n{EXIT_CODES}",
    )
    parser.add_argument("--version", action="version", version=f"testkommune {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    serve_parser = serve.add_parser(sub)
    certify.add_parser(sub)
    demo.add_parser(sub)
    catalogue.add_parsers(sub)
    evidence.add_parsers(sub, serve_parser)  # verify, key; serve --signing-key
    load.add_parser(sub)
    replay.add_parser(sub)
    trigger_sample.add_parser(sub)
    parser.set_defaults(subcommands=sub.choices)
    return parser


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line; an unknown flag gets the closest flag of its command as a suggestion."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        command = args.subcommands[args.command]
        flags = [f for action in command._actions for f in action.option_strings]
        hints = "".join(suggest(word.split("=")[0], flags) for word in extra if word.startswith("-"))
        command.error(f"unrecognized arguments: {' '.join(extra)}.{hints}".rstrip("."))
    return args


def run(argv: Sequence[str] | None = None, stdout: IO[str] | None = None) -> int:
    """Parse `argv` and run the command; returns the exit code."""
    args = parse(argv)
    try:
        return COMMANDS[args.command](args, stdout or sys.stdout)
    except TestkommuneError as exc:
        print_error(exc)
        return EXIT_USAGE
    except Exception as exc:
        problem = environment_problem(exc)
        if problem is None:
            raise  # a defect of testkommune: keep the traceback
        print_error(problem)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("testkommune: interrupted", file=sys.stderr)
        return EXIT_FAILED


def main() -> None:
    sys.exit(run())
