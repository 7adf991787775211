"""The machine-readable certification report: `RunResult` as JSON (contract `harness/rapport`)."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from testkommune.contracts.privacy import mask_cpr
from testkommune.harness import __version__
from testkommune.harness.certify.results import RunResult

REPORT_FORMAT = "testkommune-certification/1"


def report_document(result: RunResult) -> dict[str, Any]:
    """The report as a JSON-ready dict: `result.as_dict()` plus the format marker and generator.

    Durations are rounded to hundredths of a second: the contract layer treats every float with more than
    two decimals as a malformed amount, and a report must validate against its own contract.
    """
    doc: dict[str, Any] = {"report_format": REPORT_FORMAT, "generated_by": f"testkommune {__version__}"}
    doc.update(result.as_dict())
    doc["duration_s"] = _seconds(result.duration_s)
    for scenario in doc["scenarios"]:
        scenario["duration_s"] = _seconds(scenario["duration_s"])
    return doc


def write_json(result: RunResult, path: Path) -> Path:
    """Write the JSON report to `path` (atomically, creating parent folders); returns the path."""
    text = json.dumps(report_document(result), indent=2, ensure_ascii=False, default=str) + "\n"
    return write_atomic(path, text.encode("utf-8"))


def write_atomic(path: Path, data: bytes) -> Path:
    """Write `data` to `path` via a temp file in the same folder, fsync, rename: never a half-written file.
    Every CPR number in it is masked (its last four digits XXXX): a report never holds one in full."""
    data = mask_cpr(data.decode("utf-8")).encode("utf-8")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(0o644)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return path


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable where the platform allows syncing a directory (not on Windows)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _seconds(value: float) -> float:
    return round(float(value), 2)
