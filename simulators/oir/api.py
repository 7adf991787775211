"""The ØiR hub as the counterparts behind it meet it: one handler shape for a delivery through the hub.

A counterpart that receives deliveries through ØiR (the debitor system, the ERP, NemKonto, Klassifikation)
wraps its business function with `delivery`: a re-delivery of the same TransaktionsID gets the stored answer
and is booked once; a TransaktionsID reused for other content is refused with 409.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from testkommune.contracts.findings import Finding
from testkommune.simulators.context import OpContext
from testkommune.simulators.oir import hub
from testkommune.simulators.operations import Handler

Business = Callable[[OpContext, dict[str, Any], str], dict[str, Any]]
"""(context, message, TransaktionsID) → the Forretningskvittering."""


def delivery(service: str, business: Business) -> Handler:
    """The handler of an operation delivered through the hub as `service`."""

    def handle(sim: Any, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
        result = hub.deliver(ctx, service, message, lambda message_id: business(ctx, message, message_id))
        if isinstance(result, Finding):
            return 409, result
        return result.status, result.body

    return handle
