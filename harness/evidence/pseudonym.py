"""CPR numbers in evidence, pseudonymised: the same number always becomes the same pseudonym (a keyed hash),
so a verdict recomputed from the bundle comes out as it did, yet the bundle holds no real CPR number.

A pseudonym keeps what a check may read: the birth date and century digit (the first seven digits), whether
the number is a man's or a woman's (the last digit's parity) and whether it passes modulus 11. Only the
holder of the key (the test kommune's signing key) can tell which number a pseudonym stands for.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# the shape contracts/privacy.py masks in logs: ten digits (or DDMMYY-SSSS) not part of a longer number
_CPR = re.compile(r"(?<![0-9])([0-3][0-9][01][0-9][0-9]{2})(-?)([0-9]{4})(?![0-9])")
_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


def _mod11(digits: str) -> bool:
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11 == 0


class Pseudonymiser:
    """Replaces CPR-shaped numbers in text; one instance keeps its pseudonyms distinct (one bundle)."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._given: dict[str, str] = {}
        self._taken: set[str] = set()

    @classmethod
    def for_signing_key(cls, key: Ed25519PrivateKey) -> Pseudonymiser:
        raw = key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        return cls(hashlib.sha256(b"testkommune CPR pseudonym\n" + raw).digest())

    def cpr(self, number: str) -> str:
        """The pseudonym of a 10-digit CPR number."""
        known = self._given.get(number)
        if known is not None:
            return known
        valid = _mod11(number)
        stream = hmac.new(self._key, number.encode(), hashlib.sha256).digest()
        for counter in range(10_000):
            if counter and counter % 32 == 0:
                stream = hmac.new(self._key, stream, hashlib.sha256).digest()
            value = int.from_bytes(stream[(counter % 32) :] + stream[: counter % 32], "big") + counter
            tail = f"{value % 100:02d}{(value // 100 % 5) * 2 + int(number[9]) % 2}"
            candidate = number[:7] + tail
            if candidate != number and _mod11(candidate) == valid and candidate not in self._taken:
                break
        self._given[number] = candidate
        self._taken.add(candidate)
        return candidate

    def text(self, text: str) -> str:
        """`text` with every CPR-shaped number replaced by its pseudonym (a hyphen kept where it was)."""

        def replace(match: re.Match[str]) -> str:
            pseudonym = self.cpr(match[1] + match[3])
            return pseudonym[:6] + match[2] + pseudonym[6:]

        return _CPR.sub(replace, text)
