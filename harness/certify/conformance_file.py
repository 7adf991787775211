"""A conformance statement given as a file (`certify --conformance FILE`): JSON or YAML, checked against
`contracts/harness/conformance.schema.json`, for drivers whose fagsystem cannot declare one itself (observe,
interactive) or whose trigger endpoint declares none or another."""

from __future__ import annotations

from pathlib import Path

import yaml
from testkommune.contracts.driver import ConformanceStatement
from testkommune.contracts.errors import UsageError
from testkommune.contracts.findings import describe_all
from testkommune.contracts.schemas import contract_set


class ConformanceFileError(UsageError):
    """The conformance file is missing, unreadable or breaks its contract (a usage error: exit code 2)."""


def load_conformance(path: Path) -> ConformanceStatement:
    """The statement the file holds, or ConformanceFileError naming every problem by its JSON path."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))  # JSON is YAML too
    except OSError as exc:
        raise ConformanceFileError(f"cannot read the conformance statement {path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConformanceFileError(
            f"the conformance statement {path} is neither JSON nor YAML: {exc}"
        ) from None
    problems = contract_set().get("harness/conformance").check(raw)
    if problems:
        lines = "\n".join(f"  {p['path']}: {p['text_en']}" for p in describe_all(problems))
        raise ConformanceFileError(
            f"the conformance statement {path} breaks its contract (harness/conformance):\n{lines}",
            hint='e.g. {"role": "psrm-s2s", "events": ["debtor_paid", "co_debtors"]}',
        )
    return ConformanceStatement(raw["role"], frozenset(raw.get("events", ())))
