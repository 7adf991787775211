"""`testkommune verify` and `testkommune key`: registered by harness/evidence/command.py; here they get
their description, examples and exit codes, and are dispatched."""

from __future__ import annotations

import argparse
from typing import IO, Any

from testkommune.harness.commands.common import console, epilog

VERIFY_DESCRIPTION = (
    "Check that every file of an evidence bundle matches its signed, hash-chained manifest, that a key you "
    "trust signed it or a kommune whose key you trust attested it (ATTESTED: the journal in every "
    "observation is what the kommune journalled), and recompute the verdict from the recorded observations "
    "with the same checks. Needs no network unless --url names the test kommune whose published key you "
    "trust."
)
VERIFY_EXAMPLES = """\
  testkommune verify testkommune-reports/basis-foraeldrebetaling.bevis
  testkommune verify bundle.bevis --public-key testkommune-public.pem
  testkommune verify bundle.bevis --url http://127.0.0.1:8585
  testkommune verify bundle.bevis --public-key kommune.pem     # a vendor's bundle the kommune attested"""
VERIFY_EXIT = (
    "  (verify: 0 verified and PASSED, 1 verified and FAILED, 3 not verified: changed, an attestation that "
    "does not hold, or neither signed nor attested by a key you trust)"
)
KEY_DESCRIPTION = (
    "Print the evidence signing key's public half and fingerprint: this machine's or a kommune's."
)
KEY_EXAMPLES = """\
  testkommune key
  testkommune key --url http://127.0.0.1:8585"""


def add_parsers(sub: Any, serve: argparse.ArgumentParser) -> None:
    from testkommune.harness.evidence.command import add_evidence_commands

    add_evidence_commands(sub, serve)
    verify, key = sub.choices["verify"], sub.choices["key"]
    verify.description, verify.epilog = VERIFY_DESCRIPTION, epilog(VERIFY_EXAMPLES) + "\n" + VERIFY_EXIT
    key.description, key.epilog = KEY_DESCRIPTION, epilog(KEY_EXAMPLES)


def run(args: argparse.Namespace, stdout: IO[str]) -> int:
    """`verify` or `key`; their usage errors are testkommune's UsageError (exit 2)."""
    from testkommune.harness.evidence.command import key_command, verify_command

    if args.command == "key":
        return key_command(args, stdout)
    return verify_command(args, console(stdout))
