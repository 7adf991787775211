"""The hash-chained manifest: each file's SHA-256 (and each line's, to name where a byte changed), chained."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

FORMAT = "testkommune-evidence/1"
LINE_HASH_LIMIT = 5000


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chain_start() -> str:
    return sha256(FORMAT.encode())


def link(previous: str, path: str, digest: str) -> str:
    return sha256(f"{previous}\n{path}\n{digest}".encode())


def entry(root: Path, relative: str, previous: str) -> dict[str, Any]:
    data = (root / relative).read_bytes()
    digest = sha256(data)
    lines = data.split(b"\n")
    out: dict[str, Any] = {
        "path": relative,
        "size": len(data),
        "sha256": digest,
        "chain": link(previous, relative, digest),
    }
    if len(lines) <= LINE_HASH_LIMIT:
        out["lines"] = [sha256(line)[:16] for line in lines]
    return out


def build(root: Path, files: list[str]) -> dict[str, Any]:
    previous = chain_start()
    entries = []
    for relative in files:
        item = entry(root, relative, previous)
        previous = item["chain"]
        entries.append(item)
    return {"format": FORMAT, "entries": entries, "head": previous}
