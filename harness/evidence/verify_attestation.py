"""Check a bundle's attestation (harness/evidence/attest.py) offline.

ATTESTED means: `attestation.json` holds a statement signed by a key the reader trusts (a kommune's, e.g. as
`testkommune key --url` prints it); the statement names this bundle's manifest (its SHA-256) and tenant;
and the journal in every observation of the bundle is a beginning of one of the journals the kommune
attested (one per reset), entry by entry (contracts/attestation.py). An attestation that is present but
does not hold (a bad signature, another manifest or tenant, an observation whose journal the kommune did not
see) is a problem: the bundle is NOT VERIFIED. A missing one, or one by a key the reader does not trust,
leaves the bundle UNATTESTED.

What it covers: the exchanges (every request and answer the kommune journalled). It does not cover the
tenant state an observation also holds, nor journal entries the kommune trimmed (over 5,000 a tenant).
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from testkommune.contracts.attestation import FILE, FORMAT, entry_digest, journal_digest
from testkommune.harness.evidence import manifest, signing


class AttestationReport(Protocol):
    problems: list[str]
    attested: bool
    attested_by: str | None
    attestation_note: str
    journal_entries: int
    unobserved: int


def check_attestation(
    bundle: Path,
    manifest_bytes: bytes,
    entries: list[dict[str, Any]],
    trusted: set[str],
    report: AttestationReport,
) -> None:
    """Fill `report`'s attestation fields; a present attestation that does not hold adds a problem."""
    path = bundle / FILE
    if not path.is_file():
        report.attestation_note = f"no {FILE}: no kommune vouches for what this run did"
        return
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        text = document["statement"]
        key = signing.load_public(document["public_key_pem"].encode())
        signature = base64.b64decode(document["signature"], validate=True)
        statement = json.loads(text)
        key.verify(signature, text.encode("utf-8"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
        report.problems.append(f"{FILE}: not an attestation ({type(exc).__name__}: {exc})")
        return
    except InvalidSignature:
        report.problems.append(f"{FILE}: the signature does not match its statement")
        return
    fingerprint = signing.fingerprint(key)
    problems = _statement_problems(bundle, statement, fingerprint, manifest.sha256(manifest_bytes))
    if not problems:
        problems = _journal_problems(bundle, entries, statement["journal"]["epochs"], report)
    report.problems.extend(f"{FILE}: {p}" for p in problems)
    if problems:
        return
    report.attested_by = fingerprint
    report.attested = fingerprint in trusted
    if not report.attested:
        report.attestation_note = f"attested by {fingerprint}, which is not a key you trust"


def _statement_problems(bundle: Path, statement: Any, fingerprint: str, manifest_sha256: str) -> list[str]:
    if not isinstance(statement, dict) or statement.get("format") != FORMAT:
        return [f"not a {FORMAT} statement"]
    problems = []
    if statement.get("key_fingerprint") != fingerprint:
        problems.append("names another key than the one that signed it")
    if statement.get("manifest_sha256") != manifest_sha256:
        problems.append("attests another manifest than this bundle's (changed after it was attested)")
    run = json.loads((bundle / "statement.json").read_text(encoding="utf-8"))
    if (statement.get("kommune"), statement.get("anvendersystem")) != (run["kommune"], run["anvendersystem"]):
        problems.append("attests another tenant than the bundle's statement names")
    journal = statement.get("journal")
    journal = journal if isinstance(journal, dict) else {}
    epochs = journal.get("epochs")
    if not isinstance(epochs, list) or journal_digest(epochs) != journal.get("sha256"):
        problems.append("its journal digest does not match its entries")
    return problems


def _journal_problems(
    bundle: Path, entries: list[dict[str, Any]], epochs: list[list[str]], report: AttestationReport
) -> list[str]:
    """Every observation's journal must begin one attested journal, entry for entry."""
    problems = []
    seen = [0] * len(epochs)
    for item in entries:
        if not item["path"].startswith("observations/"):
            continue
        step = json.loads((bundle / item["path"]).read_text(encoding="utf-8"))
        digests = [entry_digest(entry) for entry in step["observation"]["journal"]]
        report.journal_entries += len(digests)
        if not digests:
            continue
        matches = [i for i, epoch in enumerate(epochs) if epoch[: len(digests)] == digests]
        if not matches:
            problems.append(
                f"the journal in {item['path']} is not what the kommune attested "
                "(an exchange changed, added or left out)"
            )
            continue
        seen[matches[0]] = max(seen[matches[0]], len(digests))
    report.unobserved = sum(len(epoch) for epoch in epochs) - sum(seen)
    return problems
