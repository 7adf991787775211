"""The GO/NO-GO report of a load run: JSON (format testkommune-load/1, contract harness/lastrapport) and
one self-contained HTML page.

The page loads nothing (no scripts, fonts, images or style sheets), says so in its Content-Security-
Policy, shows every label in English and Danish, and Jinja2 escapes every value.
"""

from __future__ import annotations

import json
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).with_name("templates")
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
KPI_LABELS = {
    "throughput_rps": ("Throughput (successful req/s)", "Gennemløb (gennemførte kald/s)"),
    "p95_ms": ("95th percentile latency (ms)", "Svartid, 95. percentil (ms)"),
    "p99_ms": ("99th percentile latency (ms)", "Svartid, 99. percentil (ms)"),
    "error_rate_pct": ("Error rate (%)", "Fejlrate (%)"),
    "lost_messages": ("Acknowledged but not stored", "Kvitteret men ikke gemt"),
    "double_booked_messages": ("Stored more than once", "Gemt mere end én gang"),
}


def report_paths(report_dir: Path, doc: dict[str, Any]) -> dict[str, Path]:
    stem = f"load-{doc['profile']['name']}-{doc['system_under_test']['fagsystem']}"
    return {"json": Path(report_dir) / f"{stem}.json", "html": Path(report_dir) / f"{stem}.html"}


def write_reports(report_dir: Path, doc: dict[str, Any]) -> dict[str, Path]:
    """Write both reports (atomically); returns their paths."""
    paths = report_paths(report_dir, doc)
    _write_atomic(paths["json"], (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode())
    _write_atomic(paths["html"], render_html(doc).encode())
    return paths


def render_html(doc: dict[str, Any]) -> str:
    return _env().get_template("load.html").render(doc=doc, csp=CSP, labels=KPI_LABELS)


@cache
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(name).chmod(0o644)
        Path(name).replace(path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
