"""Which signing keys a reader of evidence trusts: never the key a bundle carries, only one the reader names.

Sources, any number of them: a public key file (PEM), a trust file of fingerprints (one `ed25519:<hex>` a
line, anything after it a label, `#` comments), the key a running test kommune publishes at
`/evidence/public-key`, and the key this machine's test kommune signs with (`.testkommune/signing-key.pem`,
when present: your own runs).
"""

from __future__ import annotations

import json
import re
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from testkommune.contracts.errors import UsageError
from testkommune.harness.evidence import signing

PUBLISHED_PATH = "/evidence/public-key"
_FINGERPRINT = re.compile(r"ed25519:[0-9a-f]{64}")


class TrustError(UsageError, ValueError):
    """A trust source cannot be read (a usage error)."""


@dataclass
class Trust:
    """Trusted fingerprints, each with where the trust came from."""

    sources: dict[str, str] = field(default_factory=dict)

    def add(self, fingerprint: str, source: str) -> None:
        self.sources.setdefault(fingerprint, source)

    def add_pem(self, pem: bytes, source: str) -> str:
        try:
            fingerprint = signing.fingerprint(signing.load_public(pem))
        except ValueError as exc:
            raise TrustError(f"{source}: not an Ed25519 public key ({exc})") from exc
        self.add(fingerprint, source)
        return fingerprint

    def add_file(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise TrustError(f"cannot read trust file {path}: {exc}") from exc
        for number, line in enumerate(text.splitlines(), start=1):
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            if not _FINGERPRINT.fullmatch(words[0]):
                raise TrustError(f"{path}:{number}: not a fingerprint (ed25519:<64 hex digits>)")
            self.add(words[0], f"{path}:{number}" + (f" ({' '.join(words[1:])})" if words[1:] else ""))

    def add_local_key(self, path: Path) -> None:
        """The key this machine's test kommune signs with, if there is one (it is never created here)."""
        if path.is_file():
            self.add(
                signing.fingerprint(signing.load_or_create(path).public_key()), f"your signing key {path}"
            )


def published_key(base_url: str, timeout: float = 10.0) -> tuple[bytes, str]:
    """The public key (PEM) and fingerprint a running test kommune publishes (the fingerprint recomputed)."""
    url = base_url.rstrip("/") + PUBLISHED_PATH
    if not url.startswith(("http://", "https://")):
        raise TrustError(f"{base_url}: not an http(s) URL")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            document = json.loads(answer.read(64 * 1024))
        pem = document["public_key_pem"].encode()
        fingerprint = signing.fingerprint(signing.load_public(pem))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise TrustError(f"cannot read the key {url} publishes: {exc}") from exc
    if document.get("fingerprint") != fingerprint:
        raise TrustError(f"{url}: the published fingerprint does not belong to the published key")
    return pem, fingerprint
