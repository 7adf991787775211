"""Findings: what a rule or a contract check says about one place in a message."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from testkommune.contracts.catalogue import ErrorCatalogue, error_catalogue


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem (or warning) at a JSON path, named by a catalogue code."""

    code: str
    path: str = "$"
    params: Mapping[str, Any] = field(default_factory=dict)

    def severity(self, catalogue: ErrorCatalogue | None = None) -> str:
        return (catalogue or error_catalogue()).get(self.code).severity


def describe(finding: Finding, catalogue: ErrorCatalogue | None = None) -> dict[str, Any]:
    """The structured error a client sees: code, path, both texts, how to fix, the public source."""
    catalogue = catalogue or error_catalogue()
    described = catalogue.describe(finding.code, finding.params)
    out: dict[str, Any] = {"code": finding.code, "path": finding.path}
    out.update({k: v for k, v in described.items() if k != "code"})
    if "value" in finding.params:
        out["value"] = finding.params["value"]
    return out


def describe_all(
    findings: Iterable[Finding], catalogue: ErrorCatalogue | None = None
) -> list[dict[str, Any]]:
    return [describe(f, catalogue) for f in findings]


def errors_only(findings: Iterable[Finding], catalogue: ErrorCatalogue | None = None) -> list[Finding]:
    catalogue = catalogue or error_catalogue()
    return [f for f in findings if catalogue.get(f.code).severity == "error"]


def json_path(*parts: str | int) -> str:
    """Build a JSON path like `$.Fordring[0].PeriodeFraDato` from keys and indexes."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def join_path(base: str, *parts: str | int) -> str:
    return base + json_path(*parts)[1:]
