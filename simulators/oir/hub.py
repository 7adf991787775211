"""Delivery guarantees of the ØiR hub: one answer per TransaktionsID, stored before it is sent."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from harness.core.clock import iso
from harness.core.findings import Finding, join_path
from simulators import store
from simulators.context import OpContext


@dataclass(frozen=True, slots=True)
class Delivered:
    status: int
    body: dict[str, Any]
    replayed: bool


def fingerprint(message: Any) -> str:
    return hashlib.sha256(json.dumps(message, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def deliver(
    ctx: OpContext,
    service: str,
    message: dict[str, Any],
    business: Callable[[str], dict[str, Any]],
) -> Delivered | Finding:
    """Hand a delivery to the business system once; a re-delivery gets the stored answer.

    Returns the answer, or a Finding when the TransaktionsID was reused for different content.
    """
    message_id = message["Hovedoplysninger"]["TransaktionsID"].lower()
    digest = fingerprint(message)
    row = ctx.conn.execute(
        sa.select(store.deliveries).where(
            store.deliveries.c.tenant == ctx.tenant.key,
            store.deliveries.c.service == service,
            store.deliveries.c.message_id == message_id,
        )
    ).first()
    if row is not None:
        if row.request_sha256 != digest:
            return Finding(
                "OIR-TRANSAKTIONSID-GENBRUGT",
                join_path("$", "Hovedoplysninger", "TransaktionsID"),
                {"value": message_id},
            )
        body = dict(row.response)
        body["Kvittering"] = dict(body["Kvittering"]) | {"Genfremsendt": True}
        return Delivered(row.status_code, body, replayed=True)
    answer = business(message_id)
    body = {
        "Kvittering": {"TransaktionsID": message_id, "ModtagetTidspunkt": iso(ctx.now), "Status": "MODTAGET"},
        "Forretningskvittering": answer,
    }
    ctx.conn.execute(
        sa.insert(store.deliveries).values(
            tenant=ctx.tenant.key,
            service=service,
            message_id=message_id,
            request_sha256=digest,
            status_code=200,
            response=body,
            received_at=ctx.now.isoformat(),
        )
    )
    return Delivered(200, body, replayed=False)
