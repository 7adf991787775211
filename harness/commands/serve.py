"""`testkommune serve`: the test kommune over HTTP until Ctrl-C."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import IO, Any

from testkommune.contracts.errors import SetupError, UsageError
from testkommune.harness import __version__
from testkommune.harness.commands.common import (
    EXIT_OK,
    add_db_option,
    epilog,
    port,
    require_database_driver,
    store_url,
)

HELP = "serve the test kommune over HTTP on 127.0.0.1"
DESCRIPTION = (
    "Serve every simulator (ØiR, the debitor system, PSRM, ERP, NemKonto, Klassifikation) behind one HTTP "
    "server. State lives in the --db database and survives a restart; /openapi.json lists every operation."
)
EXAMPLES = """\
  testkommune serve
  testkommune serve --port 8600 --clock 2026-10-01
  testkommune serve --db postgresql+psycopg://tk@localhost/tk --workers 4
  testkommune serve --access access.json --tls-cert cert.pem --tls-key key.pem --tls-client-ca ca.pem"""


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser = sub.add_parser("serve", help=HELP, description=DESCRIPTION, epilog=epilog(EXAMPLES))
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=port, default=8585, help="port (default 8585; 0 picks a free one)")
    add_db_option(parser)
    parser.add_argument("--clock", help="start every new tenant's clock frozen at this ISO date/time")
    parser.add_argument(
        "--access", type=Path, help="access file (credentials, serviceaftaler); default: open"
    )
    parser.add_argument("--tls-cert", type=Path, help="serve HTTPS with this certificate (PEM)")
    parser.add_argument("--tls-key", type=Path, help="the certificate's private key (PEM)")
    parser.add_argument(
        "--tls-client-ca", type=Path, help="require client certificates issued by this CA (mTLS rehearsal)"
    )
    parser.add_argument(
        "--debug-personal-data",
        action="store_true",
        help="log CPR numbers in full (by default logs show only their first six digits)",
    )
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    parser.add_argument("--log-file", type=Path, help="also log to this file, rotated by size")
    parser.add_argument(
        "--log-max-bytes", type=int, default=10 * 1024 * 1024, help="rotate the log file at this size"
    )
    parser.add_argument("--log-backups", type=int, default=5, help="rotated log files to keep (default 5)")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes sharing the state (N > 1 needs a PostgreSQL --db; default 1)",
    )
    return parser


def run(args: argparse.Namespace, stdout: IO[str]) -> int:
    url = store_url(args.db)
    options = _options(args, url)
    workers = f"; {args.workers} workers" if args.workers > 1 else ""
    scheme = "https" if options["tls"] else "http"
    print(
        f"testkommune {__version__} serving on {scheme}://{args.host}:{args.port} (state: {url}{workers}); "
        f"OpenAPI at /openapi.json; Ctrl-C stops",
        file=stdout,
        flush=True,
    )
    try:
        if args.workers > 1:
            from testkommune.harness.server import serve_workers

            return serve_workers(url, workers=args.workers, **options)
        from testkommune.harness.server import serve_forever

        serve_forever(url, **options)
    except OSError as exc:
        raise SetupError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
            hint="pick another --port (0 picks a free one)",
        ) from None
    return EXIT_OK


def _options(args: argparse.Namespace, url: str) -> dict[str, Any]:
    """Check every option before anything starts; the keyword arguments of serve_forever."""
    from testkommune.contracts.clock import ClockState, check_supported, parse_instant

    start = None
    if args.clock:
        try:
            start = ClockState.frozen_at(check_supported(parse_instant(args.clock)))
        except ValueError as exc:
            raise UsageError(f"--clock: {exc}", hint="e.g. --clock 2026-10-01 or 2026-10-01T09:00") from exc
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.workers > 1 and not url.startswith("postgresql"):
        raise UsageError(
            "--workers > 1 needs a PostgreSQL --db: SQLite has one writer at a time",
            hint="--db postgresql+psycopg://user@host/database",
        )
    require_database_driver(url)
    access = None
    if args.access:
        from testkommune.simulators.access import load_policy

        access = load_policy(args.access)
    return {
        "host": args.host,
        "port": args.port,
        "start_clock": start,
        "log_level": args.log_level,
        "access": access,
        "debug_personal_data": args.debug_personal_data,
        "tls": _tls(args),
        "log_file": _log_file(args),
        "signing_key": args.signing_key,
    }


def _log_file(args: argparse.Namespace) -> Any:
    if not args.log_file:
        return None
    from testkommune.harness.server import LogFile

    if args.log_max_bytes < 1024 or args.log_backups < 1:
        raise UsageError("--log-max-bytes must be at least 1024 and --log-backups at least 1")
    return LogFile(args.log_file, args.log_max_bytes, args.log_backups)


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
