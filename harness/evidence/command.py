"""The `verify` and `key` commands (registered in harness/cli.py).

`verify` exit codes: 0 verified (intact, and signed by a trusted key or attested by a trusted kommune key)
and the verdict PASSED; 1 verified and the verdict FAILED; 3 not verified (changed, incomplete, an
attestation that does not hold, or neither signed nor attested by a key the reader trusts: UNTRUSTED);
2 a usage error. Attestation is reported on its own line, ATTESTED or UNATTESTED, and beside VERIFIED.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from testkommune.contracts.errors import UsageError
from testkommune.harness.evidence import signing
from testkommune.harness.evidence.trust import Trust, TrustError, published_key
from testkommune.harness.evidence.verify import VerifyReport, verify_bundle

EXIT_VERIFIED_PASSED, EXIT_VERIFIED_FAILED, EXIT_NOT_VERIFIED = 0, 1, 3


class EvidenceUsageError(UsageError, ValueError):
    """A bundle or trust source the command cannot use (exit code 2)."""


def add_evidence_commands(sub: Any, serve: argparse.ArgumentParser) -> None:
    """Register `verify` and `key` on the CLI's subparsers, and the key `serve` publishes."""
    add_verify_options(sub.add_parser("verify", help="check an evidence bundle against a key you trust"))
    add_key_options(sub.add_parser("key", help="print the test kommune's evidence key and its fingerprint"))
    serve.add_argument(
        "--signing-key",
        type=Path,
        default=signing.DEFAULT_KEY,
        help="the evidence key whose public half is published at /evidence/public-key",
    )


def add_verify_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("bundle", type=Path, help="a <suite>-<fagsystem>.bevis folder")
    parser.add_argument(
        "--public-key", type=Path, action="append", default=[], help="trust this public key (PEM; repeatable)"
    )
    parser.add_argument(
        "--trust-file", type=Path, action="append", default=[], help="trust the fingerprints listed in it"
    )
    parser.add_argument("--url", help="trust the key this running test kommune publishes")
    parser.add_argument(
        "--signing-key",
        type=Path,
        default=signing.DEFAULT_KEY,
        help="your own test kommune's key, trusted when present (default .testkommune/signing-key.pem)",
    )


def add_key_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="print the key this running test kommune publishes instead")
    parser.add_argument(
        "--signing-key",
        type=Path,
        default=signing.DEFAULT_KEY,
        help="the key file (default .testkommune/signing-key.pem; made on first use)",
    )


def trust_of(args: argparse.Namespace, console: Any) -> Trust:
    trust = Trust()
    try:
        for path in args.public_key:
            trust.add_pem(_read(path), f"--public-key {path}")
        for path in args.trust_file:
            trust.add_file(path)
        if args.url:
            pem, fingerprint = published_key(args.url)
            trust.add_pem(pem, f"published by {args.url}")
            console.print(f"  trusting the key {args.url} publishes: {fingerprint}")
        trust.add_local_key(args.signing_key)
    except (TrustError, ValueError) as exc:
        raise EvidenceUsageError(str(exc)) from exc
    return trust


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise EvidenceUsageError(f"cannot read {path}: {exc}") from exc


def verify_command(args: argparse.Namespace, console: Any) -> int:
    if not args.bundle.is_dir():
        raise EvidenceUsageError(f"{args.bundle} is not an evidence bundle folder")
    console.print(f"Bundle {args.bundle}")
    trust = trust_of(args, console)
    report = verify_bundle(args.bundle, trust.sources)
    _print(report, trust, console)
    if not report.verified:
        return EXIT_NOT_VERIFIED
    return EXIT_VERIFIED_PASSED if report.verdict_recomputed == "PASSED" else EXIT_VERIFIED_FAILED


def _print(report: VerifyReport, trust: Trust, console: Any) -> None:
    signer = report.fingerprint or "unknown key"
    if report.trusted:
        console.print(f"  signed by {signer}, trusted: {trust.sources[signer]}")
    else:
        console.print(f"  signed by {signer}, which is not a key you trust")
        if not trust.sources:
            console.print("  (name one: --public-key PEM, --trust-file FILE or --url of the test kommune)")
    for problem in report.problems:
        console.print(f"  PROBLEM: {problem}")
    if report.valid:
        console.print("  intact: every file matches the signed, hash-chained manifest")
        console.print(
            f"  verdict recomputed from the evidence: {report.verdict_recomputed} "
            f"(recorded: {report.verdict_recorded}; {report.scenarios} scenarios)"
        )
        console.print(
            f"  certificate: {'issued' if report.certificate else 'none (not every scenario passed)'}"
        )
    _print_attestation(report, trust, console)
    if report.verified:  # never a plain VERIFIED: it says whether a kommune vouches for it
        console.print(f"integrity: {report.status}, {report.attestation}")
    else:
        console.print(f"integrity: {report.status}")
    console.print(f"attestation: {report.attestation}")
    if report.verified:
        console.print(f"verdict: {report.verdict_recomputed}")


def _print_attestation(report: VerifyReport, trust: Trust, console: Any) -> None:
    if report.attested and report.attested_by is not None:
        console.print(f"  attested by {report.attested_by}, trusted: {trust.sources[report.attested_by]}")
        console.print(
            f"  the journal in every observation is what the kommune attested ({report.journal_entries} "
            f"entries checked; {report.unobserved} attested entries in no observation)"
        )
    elif report.valid:
        console.print(f"  unattested: {report.attestation_note}")


def key_command(args: argparse.Namespace, out: Any) -> int:
    """Print a public key and its fingerprint: this machine's (`--signing-key`) or a kommune's (`--url`)."""
    if args.url:
        try:
            pem, fingerprint = published_key(args.url)
        except TrustError as exc:
            raise EvidenceUsageError(str(exc)) from exc
        source = f"published by {args.url}"
    else:
        public = signing.load_or_create(args.signing_key).public_key()
        pem, fingerprint = signing.public_pem(public), signing.fingerprint(public)
        source = f"from {args.signing_key}"
    print(f"fingerprint: {fingerprint}  ({source})", file=out)
    print(pem.decode().rstrip("\n"), file=out)
    return 0
