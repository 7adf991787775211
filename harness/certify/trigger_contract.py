"""The HTTP trigger protocol as a contract: the trigger's answers are checked against
`contracts/harness/trigger/{info,answer}.schema.json` (the requests the harness sends are in the same folder).

A vendor's trigger that answers outside the protocol is told which field is wrong, instead of the harness
failing later on a missing name or a body it cannot read.
"""

from __future__ import annotations

from typing import Any

import requests
from testkommune.contracts.schemas import contract_set


def trigger_answer(response: requests.Response, kind: str) -> tuple[dict[str, Any], list[str]]:
    """The answer's body (empty reads as {}) and every way it breaks contract harness/trigger/<kind>."""
    if not response.content:
        body: Any = {}
    else:
        try:
            body = response.json()
        except ValueError:
            return {}, [f"the answer is not JSON: {response.text[:80]!r}"]
    problems = contract_set().get(f"harness/trigger/{kind}").check(body)
    return (body if isinstance(body, dict) else {}), [f"{p.path}: {p.code}" for p in problems]
