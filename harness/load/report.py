"""The GO/NO-GO report of a load run: JSON (format testkommune-load/1, contract harness/lastrapport) and
one self-contained HTML page in the certification report's style (its style sheet), with inline SVG charts
of the run's timeline; Locust's own HTML report and CSV tables are written beside them.

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
from testkommune.harness.load.charts import timeline_charts

TEMPLATES = Path(__file__).with_name("templates")
CERTIFICATION_TEMPLATES = Path(__file__).parents[1] / "reporting" / "templates"
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


def write_reports(
    report_dir: Path, doc: dict[str, Any], locust: dict[str, str] | None = None
) -> dict[str, Path]:
    """Write both reports and Locust's own files beside them (atomically); returns their paths."""
    paths = report_paths(report_dir, doc)
    _write_atomic(paths["json"], (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode())
    _write_atomic(paths["html"], render_html(doc).encode())
    stem = paths["json"].with_suffix("")
    for suffix, text in (locust or {}).items():
        paths[suffix] = stem.with_name(f"{stem.name}.{suffix}")
        _write_atomic(paths[suffix], text.encode())
    return paths


def render_html(doc: dict[str, Any]) -> str:
    charts = timeline_charts(doc.get("timeline", []))
    return _env().get_template("load.html").render(doc=doc, csp=CSP, labels=KPI_LABELS, charts=charts)


@cache
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader([TEMPLATES, CERTIFICATION_TEMPLATES]),  # report.css: one look for both
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
