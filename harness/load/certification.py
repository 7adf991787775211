"""The certification verdict of the system version under load, read from a certification JSON report
(`testkommune certify` writes `<suite>-<fagsystem>.json`, contract harness/rapport)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class CertificationMatch:
    found: bool
    passed: bool
    detail: str
    file: str | None = None
    suite_id: str | None = None
    verdict: str | None = None
    counts: dict[str, int] | None = None
    finished_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def find_certification(path: Path | None, fagsystem: str, version: str) -> CertificationMatch:
    """The verdict in `path` if it certifies this fagsystem at this version; otherwise not found."""
    wanted = f"{fagsystem} {version}"
    if path is None:
        return CertificationMatch(False, False, f"no certification found for {wanted} (none given)")
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return CertificationMatch(
            False, False, f"no certification found: cannot read {path}: {exc}", str(path)
        )
    if not isinstance(doc, dict) or doc.get("report_format") != "testkommune-certification/1":
        return CertificationMatch(
            False, False, f"no certification found: {path} is not a certification report", str(path)
        )
    given = f"{doc.get('fagsystem')} {doc.get('fagsystem_version')}"
    if given != wanted:
        return CertificationMatch(
            False, False, f"no certification found for {wanted}: {path} certifies {given}", str(path)
        )
    verdict = str(doc.get("verdict"))
    return CertificationMatch(
        True,
        verdict == "PASSED",
        f"{doc.get('suite_id')} {verdict} for {wanted}",
        str(path),
        doc.get("suite_id"),
        verdict,
        doc.get("counts"),
        doc.get("finished_at"),
    )
