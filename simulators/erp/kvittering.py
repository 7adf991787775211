"""The forretningskvittering of one Finansbilag: every problem, and per line its status, kontostreng and own
problems (oeir.md §4.1, §7: accepted or rejected whole, reasons per line). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from testkommune.contracts.clock import iso
from testkommune.contracts.findings import Finding, describe_all
from testkommune.simulators.erp.bilag import AFVIST, BOGFOERT, GODKENDT, IKKE_BOGFOERT, Bilag
from testkommune.simulators.erp.kontoplan import Kontostreng


def forretningskvittering(
    bilag: Bilag, status: str, findings: list[Finding], konti: Sequence[Kontostreng | None], when: datetime
) -> dict[str, Any]:
    """The forretningskvittering: every problem, and per line its status, kontostreng and own problems."""
    described = describe_all(findings)
    lines: list[dict[str, Any]] = []
    for line, konto in zip(bilag.linjer, konti, strict=True):
        own = [d for f, d in zip(findings, described, strict=True) if _under(f.path, line.path)]
        line_status = BOGFOERT if status == GODKENDT else (AFVIST if own else IKKE_BOGFOERT)
        lines.append(
            ({"Linje": line.nummer} | ({"PosteringReference": line.reference} if line.reference else {}))
            | {
                "Status": line_status,
                "Kontostreng": konto.view() if status == GODKENDT and konto is not None else None,
                "Fejl": own,
            }
        )
    return {
        "BilagID": bilag.bilag_id,
        "Status": status,
        "BehandletTidspunkt": iso(when),
        "Fejl": described,
        "Finanspostering": lines,
    }


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((prefix + ".", prefix + "["))
