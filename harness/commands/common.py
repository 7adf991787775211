"""What several commands share: exit codes, defaults, the state database, URLs, fagsystem names, console."""

from __future__ import annotations

import argparse
import difflib
import importlib
import sys
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from testkommune.contracts.errors import SetupError, UsageError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_REPORT_DIR = Path("testkommune-reports")
DEFAULT_DB = ".testkommune/testkommune.db"
DEFAULT_KOMMUNE = "851"
DEFAULT_ROLE = "fagsystem (anvendersystem of SF1590_B_01 DebitorRegistreringAfsend)"
EXIT_CODES = (
    "exit codes:\n"
    "  0  everything passed\n"
    "  1  something failed (a verdict, a check, a NO-GO)\n"
    "  2  usage or environment error (one line on stderr, with a hint)"
)
POSTGRES_HINT = "pip install 'testkommune[postgres]'"


def epilog(examples: str) -> str:
    """A subcommand's help epilog: its examples, then the exit codes."""
    return f"examples:\n{examples.rstrip()}\n\n{EXIT_CODES}"


def suggest(word: str, choices: Any) -> str:
    """' Did you mean X?' when `word` is close to one of `choices`, else ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=None,
        help=f"state database: SQLAlchemy URL, file path or :memory: (default ./{DEFAULT_DB})",
    )


def store_url(db: str | None) -> str:
    """The SQLAlchemy URL of `--db`; every command's default is the embedded SQLite file."""
    if db is None:
        return f"sqlite:///{DEFAULT_DB}"
    if db in (":memory:", "memory") or "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser()}"


def require_database_driver(url: str) -> None:
    """Refuse a PostgreSQL URL up front when the driver (an optional extra) is not installed."""
    if not url.startswith("postgresql"):
        return
    try:
        importlib.import_module("psycopg")
    except ImportError:
        raise SetupError(
            "a PostgreSQL --db needs the psycopg driver, which is not installed", hint=POSTGRES_HINT
        ) from None


def port(text: str) -> int:
    """An argparse type: a TCP port number (0 picks a free one)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is out of range (0–65535; 0 picks a free port)")
    return value


def check_url(option: str, url: str) -> str:
    """A base URL with scheme and host, without a trailing slash; a usage error otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        example = url if "://" in url else f"http://{url}"
        raise UsageError(f"{option} {url!r} is not an http(s) URL", hint=f"write it with a scheme: {example}")
    return url.rstrip("/")


def unreachable_reason(exc: BaseException) -> str:
    """A short reason a request got no answer (no urllib3 retry text)."""
    import requests

    text = str(exc)
    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    if "Name or service not known" in text or "NameResolutionError" in text or "getaddrinfo" in text:
        return "the host name does not resolve"
    if "refused" in text.lower():
        return "connection refused"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS handshake failed"
    return type(exc).__name__


def probe_kommune(url: str, token: str | None = None, *, option: str = "--url") -> None:
    """Fail early, in one line, when no test kommune answers at `url`."""
    import requests

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = requests.get(f"{url}/admin/health", timeout=10, headers=headers)
    except requests.RequestException as exc:
        raise SetupError(
            f"the test kommune at {url} did not answer ({unreachable_reason(exc)})",
            hint=f"start one with `testkommune serve`, or leave out {option} to start one itself",
        ) from None
    if response.status_code >= 400 and response.status_code not in (401, 403):
        raise SetupError(
            f"{url} answered {response.status_code} to /admin/health: is it a test kommune?",
            hint="point --url at the base URL `testkommune serve` printed",
        )


def resolve_fagsystem(spec: str) -> Any:
    """A built-in variant name, or `module:attribute` naming a class or factory of a driver object."""
    from testkommune.contracts.driver import Fagsystem
    from testkommune.scenarios.fagsystemer import VARIANTS

    if spec in VARIANTS:
        return VARIANTS[spec]()
    module_name, _, attribute = spec.partition(":")
    if not attribute:
        raise UsageError(
            f"unknown fagsystem {spec!r}.{suggest(spec, VARIANTS)}",
            hint=f"use one of {', '.join(VARIANTS)} or module:attribute (see `testkommune suites`)",
        )
    try:
        target = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise UsageError(
            f"cannot load fagsystem {spec!r}: {exc}", hint="is the module importable from here (PYTHONPATH)?"
        ) from exc
    fagsystem = target() if callable(target) else target
    if not isinstance(fagsystem, Fagsystem):
        raise UsageError(
            f"{spec!r} does not implement the driver protocol (name, version, connect, bill, run_daily)"
        )
    return fagsystem


def system_id(fagsystem: Any, explicit: str | None) -> str:
    """The anvendersystem id the run acts as (default: the fagsystem's name)."""
    from testkommune.simulators.tenancy import SYSTEM_ID

    system = explicit or str(fagsystem.name).lower()
    if not SYSTEM_ID.fullmatch(system):
        raise UsageError(f"--system {system!r} must be a lowercase id (letters, digits, . _ -)")
    return system


def console(stdout: IO[str]) -> Any:
    """A rich Console on `stdout`; when piped, lines are never wrapped (identifiers stay whole)."""
    from rich.console import Console

    is_tty = hasattr(stdout, "isatty") and stdout.isatty()
    return Console(file=stdout, highlight=False, width=None if is_tty else 10_000, soft_wrap=not is_tty)


def environment_problem(exc: BaseException) -> SetupError | None:
    """A library's exception that means the surroundings are wrong, as one of our errors; else None."""
    exc_module = sys.modules.get("sqlalchemy.exc")
    if exc_module is not None and isinstance(exc, exc_module.OperationalError):
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return SetupError(
            f"cannot open the state database: {first}",
            hint="check --db (driver, user, host, database) and that the database server runs",
        )
    if isinstance(exc, OSError) and exc.filename and exc.strerror:  # a file or folder the command needs
        return SetupError(f"{exc.filename}: {exc.strerror}", hint="check the path and its permissions")
    return None


def error_lines(exc: BaseException) -> str:
    """How the CLI reports one of testkommune's own errors: a line, and a hint line when there is one."""
    hint = getattr(exc, "hint", None)
    text = f"testkommune: error: {exc}"
    return f"{text}\n  hint: {hint}" if hint else text


def print_error(exc: BaseException) -> None:
    print(error_lines(exc), file=sys.stderr)
