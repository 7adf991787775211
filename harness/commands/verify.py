"""`testkommune verify`: check an evidence bundle offline and recompute its verdict."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import IO, Any

from testkommune.contracts.errors import UsageError
from testkommune.harness.commands.common import EXIT_FAILED, EXIT_OK, console, epilog

HELP = "check an evidence bundle offline and recompute its verdict"
DESCRIPTION = (
    "Check that every file of an evidence bundle matches its signed, hash-chained manifest, and recompute "
    "the verdict from the recorded observations with the same checks. Needs no test kommune and no network."
)
EXAMPLES = """\
  testkommune verify testkommune-reports/basis-foraeldrebetaling.bevis
  testkommune verify bundle.bevis --public-key testkommune-public.pem"""


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("verify", help=HELP, description=DESCRIPTION, epilog=epilog(EXAMPLES))
    parser.add_argument("bundle", type=Path, help="a <suite>-<fagsystem>.bevis folder")
    parser.add_argument("--public-key", type=Path, help="the test kommune's public key to pin (PEM)")


def _pinned_key(path: Path | None) -> bytes | None:
    if path is None:
        return None
    if not path.is_file():
        raise UsageError(f"--public-key {path}: no such file", hint="give the PEM file of the signing key")
    return path.read_bytes()


def run(args: argparse.Namespace, stdout: IO[str]) -> int:
    """Exit 0 when the bundle is intact, signed and its verdict recomputes; 1 otherwise."""
    from testkommune.harness.evidence import verify_bundle

    if not args.bundle.is_dir():
        raise UsageError(
            f"{args.bundle} is not an evidence bundle folder",
            hint="certify writes <report-dir>/<suite>-<fagsystem>.bevis",
        )
    report = verify_bundle(args.bundle, _pinned_key(args.public_key))
    out = console(stdout)
    out.print(f"Bundle {args.bundle}")
    out.print(f"  signed by {report.fingerprint or 'unknown key'}")
    if report.valid:
        out.print("  intact: every file matches the signed, hash-chained manifest")
        out.print(
            f"  verdict recomputed from the evidence: {report.verdict_recomputed} "
            f"(recorded: {report.verdict_recorded}; {report.scenarios} scenarios)"
        )
        out.print(f"  certificate: {'issued' if report.certificate else 'none (not every scenario passed)'}")
        out.print("VERIFIED")
        return EXIT_OK
    for problem in report.problems:
        out.print(f"  PROBLEM: {problem}")
    out.print("NOT VERIFIED")
    return EXIT_FAILED
