"""Scenario suites: YAML in the domain's words, checked against `contracts/harness/suite.schema.json`."""

from __future__ import annotations

import dataclasses
import difflib
import functools
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from testkommune import scenarios
from testkommune.contracts.errors import UsageError
from testkommune.contracts.findings import describe_all
from testkommune.contracts.schemas import contract_set, load_reference
from testkommune.harness.certify import matrix

BUILTIN_DIR = Path(scenarios.__file__).with_name("suites")


class SuiteError(UsageError):
    """A suite file is missing, unreadable or breaks the suite format (a usage error: exit code 2)."""


@dataclass(frozen=True, slots=True)
class Case:
    service: str
    amount: str
    month: str
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    title_da: str
    title_en: str
    covers: tuple[str, ...]
    source: str
    clock: str
    debtor: str
    cases: tuple[Case, ...]
    steps: tuple[tuple[str, Any], ...]
    role: str | None = None  # the integration role it certifies (None: any)
    co_debtors: tuple[str, ...] = ()  # relations of further liable debtors on every case


@dataclass(frozen=True, slots=True)
class Suite:
    id: str
    title_da: str
    title_en: str
    scenarios: tuple[Scenario, ...]
    path: Path


def builtin_suites() -> dict[str, Path]:
    return {p.stem: p for p in sorted(BUILTIN_DIR.glob("*.yaml"))}


def load_suite(name_or_path: str) -> Suite:
    """A built-in suite by name (e.g. 'basis') or a suite file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        known = builtin_suites()
        if name_or_path not in known:
            hint = difflib.get_close_matches(name_or_path, known, n=1)
            extra = f" Did you mean {hint[0]!r}?" if hint else ""
            raise SuiteError(f"unknown suite {name_or_path!r}; built-in suites: {', '.join(known)}.{extra}")
        path = known[name_or_path]
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SuiteError(f"cannot read suite {path}: {exc}") from exc
    return _parsed_suite(text, path)


@functools.lru_cache(maxsize=32)
def _parsed_suite(text: str, path: Path) -> Suite:
    """The suite a file's text holds (kept: a full certification loads each suite more than once, and the
    generated one expands hundreds of scenarios)."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SuiteError(f"suite {path} is not valid YAML: {exc}") from exc
    raw = _plain(raw)
    if isinstance(raw, dict) and "matrix" in raw:  # generated scenarios (harness/certify/matrix.py)
        _conform(raw, "harness/matrix", path)
        raw = _expanded(raw, path)
    _conform(raw, "harness/suite", path)
    return _suite(raw, path)


def _conform(raw: Any, contract: str, path: Path) -> None:
    problems = contract_set().get(contract).check(raw)
    if problems:
        lines = [f"  {p['path']}: {p['text_en']}" for p in describe_all(problems)]
        raise SuiteError(f"suite {path} breaks the suite format:\n" + "\n".join(lines))


def _expanded(raw: dict[str, Any], path: Path) -> dict[str, Any]:
    """The suite with the matrix's scenarios; an exclusion naming a value no axis has is refused (a typo
    would silently keep the combinations it meant to leave out)."""
    axes = {
        "fordringstype": raw["matrix"]["fordringstyper"],
        "debtor": raw["matrix"]["debtors"],
        "event": raw["matrix"]["events"],
        "role": raw["matrix"]["roles"],
    }
    for number, rule in enumerate(raw["matrix"].get("exclude", []), start=1):
        for selection in (rule["where"], rule.get("unless", {})):
            for axis, values in selection.items():
                unknown = [v for v in values if v not in axes[axis]]
                if unknown:
                    names = ", ".join(unknown)
                    raise SuiteError(f"suite {path}: exclusion {number} names unknown {axis} {names}")
    try:
        scenarios = matrix.expand(raw["matrix"])
    except KeyError as exc:
        raise SuiteError(f"suite {path}: {exc.args[0]}") from None
    return {k: v for k, v in raw.items() if k != "matrix"} | {"scenarios": scenarios}


def _plain(node: Any) -> Any:
    """YAML reads unquoted dates as dates; the suite format holds them as ISO text."""
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, date | datetime):
        return node.isoformat()
    return node


def _suite(raw: dict[str, Any], path: Path) -> Suite:
    scenarios = []
    seen: set[str] = set()
    for s in raw["scenarios"]:
        if s["id"] in seen:
            raise SuiteError(f"suite {path}: scenario id {s['id']} is used twice")
        seen.add(s["id"])
        given = s["given"]
        steps = tuple(next(iter(step.items())) for step in s["steps"])
        for kind, value in steps:
            if kind in ("correct", "event"):
                value = value["case"]
            if (
                kind in ("bill", "finans", "finans_masse", "correct", "event")
                and value != "all"
                and value > len(given["cases"])
            ):
                raise SuiteError(
                    f"suite {path}: scenario {s['id']} bills case {value}, but it has {len(given['cases'])}"
                )
        plain = Scenario(
            id=s["id"],
            title_da=s["title"]["da"],
            title_en=s["title"]["en"],
            covers=tuple(s["covers"]),
            source=s["source"],
            clock=str(given["clock"]),
            debtor=given.get("debtor", "person"),
            cases=tuple(
                Case(c["service"], c["amount"], c["month"], tuple(sorted(c.get("extra", {}).items())))
                for c in given["cases"]
            ),
            steps=steps,
            role=s.get("role"),
            co_debtors=tuple(given.get("co_debtors", ())),
        )
        scenarios.append(plain)
        if s.get("per_erpprofil"):
            scenarios.extend(per_erpprofil(plain))
    return Suite(raw["id"], raw["title"]["da"], raw["title"]["en"], tuple(scenarios), path)


FORMS = {"finans": "straks", "finans_masse": "masse"}
"""The delivery form (a profile's figure in erpprofiler.json) each finans step kind uses."""


def per_erpprofil(scenario: Scenario, profiles: list[dict[str, Any]] | None = None) -> list[Scenario]:
    """One copy of the scenario per ERP profile (contracts/reference/erpprofiler.json), the profile chosen
    with the tenant setting erp.erpprofil before its first step; everything else as written. A profile that
    does not take a delivery form the scenario's steps use (its `straks`/`masse` figure) gets no copy: that
    ERP refuses the form (ERP-LEVERANCEFORM), proven over HTTP."""
    copies = []
    forms = {FORMS[kind] for kind, _ in scenario.steps if kind in FORMS}
    for profile in load_reference("erpprofiler.json")["profiles"] if profiles is None else profiles:
        if not all(profile[form]["vaerdi"] for form in forms):
            continue
        ident, product = profile["id"], profile["product"]
        copies.append(
            dataclasses.replace(
                scenario,
                id=f"{scenario.id}-{ident}",
                title_da=f"{scenario.title_da} ({ident}: {product})",
                title_en=f"{scenario.title_en} ({ident}: {product})",
                steps=(("settings", {"erp": {"erpprofil": ident}}), *scenario.steps),
            )
        )
    return copies
