"""The messages a tenant's counterparts refused, read from its journal: each with every reason given.

A reason is any catalogue finding in the answer: a problem's `errors` (contract, access), a business receipt's
`Fejl` (ØiR, the ERP) or PSRM's `AfvistÅrsagSamling` (a list inside the simulator, its
`MFAktionAfvistStruktur` on the wire). A claim refused on its way in never reaches the debitor
system, so this is where its road ends. Reads (a receipt or a mailbox fetched again) are not refusals.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from testkommune.contracts.privacy import mask_cpr

_REASON_LISTS = ("errors", "Fejl", "AfvistÅrsagSamling", "MFAktionAfvistStruktur")


@dataclass(frozen=True, slots=True)
class Refused:
    """One refused message: when, which operation, its HTTP status and the reasons."""

    entry_id: int
    sim_time: str
    operation: str
    status: int
    reasons: list[dict[str, Any]]


def _reasons(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _REASON_LISTS and isinstance(value, list):
                found.extend(item for item in value if isinstance(item, dict) and "code" in item)
            else:
                found.extend(_reasons(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_reasons(value))
    return found


def _is_read(operation: str) -> bool:
    return "Hent" in operation or operation.startswith(("Soeg", "List"))


def _masked(reason: dict[str, Any]) -> dict[str, Any]:
    return {k: mask_cpr(v) if isinstance(v, str) else v for k, v in reason.items()}


def refused(entries: list[dict[str, Any]]) -> list[Refused]:
    """The refused messages among journal `entries`, newest first."""
    out = []
    for entry in reversed(entries):
        if _is_read(str(entry.get("operation", ""))):
            continue
        try:
            answer = json.loads(entry.get("response") or "null")
        except ValueError:
            continue
        reasons = [_masked(r) for r in _reasons(answer) if r.get("severity", "error") == "error"]
        if reasons:
            out.append(Refused(entry["id"], entry["sim_time"], entry["operation"], entry["status"], reasons))
    return out
