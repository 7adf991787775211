"""A test kommune's attestation of a certification run: what the server signs, and how a journal entry is
digested, so the server (which signs) and `testkommune verify` (which checks) compute the same thing.

A journal entry is digested as the admin API answers it (`GET …/journal`): canonical JSON (sorted keys, no
spaces, UTF-8) with every CPR-shaped number masked to its first six digits. The mask makes the digest the
same for the entry the server holds and for the copy in an evidence bundle, whose CPR numbers are
pseudonyms that keep those six digits (harness/evidence/pseudonym.py); it also keeps personal data out of
the statement.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from testkommune.contracts.privacy import mask_cpr

FORMAT = "testkommune-attestation/1"
FILE = "attestation.json"
"""Where a bundle keeps the attestation (beside manifest.sig, outside the manifest it vouches for)."""


def entry_digest(entry: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of one journal entry as the admin API answers it, CPR numbers masked."""
    text = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(mask_cpr(text).encode("utf-8")).hexdigest()


def journal_digest(epochs: Sequence[Sequence[str]]) -> str:
    """One SHA-256 over the entry digests: one list per reset of the tenant, each oldest first."""
    return hashlib.sha256(json.dumps(epochs, separators=(",", ":")).encode()).hexdigest()


def key_fingerprint(raw_public_key: bytes) -> str:
    """`ed25519:<hex>`: the SHA-256 of the raw 32-byte Ed25519 public key."""
    return "ed25519:" + hashlib.sha256(raw_public_key).hexdigest()
