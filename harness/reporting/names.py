"""File names made from text a vendor supplies (a fagsystem's self-declared name): safe and inside a folder.

A trigger endpoint answering `{"name": "../../../x"}` must not make `certify --report-dir reports/run1`
write anywhere else: the name is reduced to letters, digits, `.`, `_` and `-`, never starts with a dot,
holds no `..`, and is capped in length.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

MAX_STEM_BYTES = 100
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_part(text: str, fallback: str = "fagsystem") -> str:
    """`text` as one safe file-name part (ASCII letters, digits, `.`, `_`, `-`; no leading dot, no `..`)."""
    danish = text.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    ascii_text = unicodedata.normalize("NFKD", danish).encode("ascii", "ignore").decode()
    part = _UNSAFE.sub("-", ascii_text)
    part = re.sub(r"\.{2,}", ".", part).strip(".-_")
    if len(part) > MAX_STEM_BYTES - 20:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        part = part[: MAX_STEM_BYTES - 30].rstrip(".-_") + "-" + digest
    return part or fallback


def report_stem(suite_id: str, fagsystem_name: str) -> str:
    """The stem of a run's report files and bundle: `<suite>-<fagsystem>`, both parts made safe."""
    return f"{safe_part(suite_id, 'suite')}-{safe_part(fagsystem_name)}"


def inside(folder: Path, name: str) -> Path:
    """`folder / name`, refused (ValueError) if it would leave `folder` — a last guard after `safe_part`."""
    target = (folder / name).resolve()
    if not target.is_relative_to(folder.resolve()) or target == folder.resolve():
        raise ValueError(f"{name!r} would leave {folder}")
    return folder / name
