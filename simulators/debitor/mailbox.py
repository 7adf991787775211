"""DaekningAfskrivningRegistreringAfsend (debitor → fagsystem) as a mailbox the fagsystem polls.

There is no push channel to a fagsystem in the simulator, so every update the debitor system would send
is posted here with a sequence number and becomes visible after the tenant profile's delay; the fagsystem
reads it with `HentDaekningAfskrivning` and a cursor (the last sequence number it has seen).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from testkommune.contracts.money import wire
from testkommune.simulators import store
from testkommune.simulators.debitor import tables
from testkommune.simulators.debitor.profiles import Profile, profile_for
from testkommune.simulators.prepared import PreparedInsert

KINDS = (
    "DAEKNING",
    "AFSKRIVNING",
    "RENTE",
    "RYKKERGEBYR",
    "STATUS",
    "MODREGNING",
    "OPSKRIVNING",
    "NEDSKRIVNING",
    "DAEKNING_TILBAGEFOERT",
)


def utc(instant: datetime) -> str:
    """A sortable instant (UTC, to the second)."""
    return instant.astimezone(UTC).isoformat(timespec="seconds")


_SETTINGS = sa.select(store.tenants.c.settings).where(store.tenants.c.tenant == sa.bindparam("k_tenant"))
_EXISTS = sa.select(tables.mailbox.c.seq).where(
    tables.mailbox.c.tenant == sa.bindparam("k_tenant"), tables.mailbox.c.message_id == sa.bindparam("k_id")
)
_INSERT = PreparedInsert(tables.mailbox)  # compiled once, bound straight to the DB-API cursor


def settings_of(conn: Connection, tenant_key: str) -> dict[str, Any]:
    row = conn.execute(_SETTINGS, {"k_tenant": tenant_key}).first()
    return row.settings if row is not None else {}


def post(
    conn: Connection,
    tenant_key: str,
    *,
    kind: str,
    reference: str,
    amount_oere: int,
    dato: str,
    now: datetime,
    claim_id: int | None = None,
    data: dict[str, Any] | None = None,
    message_id: str | None = None,
    profile: Profile | None = None,
) -> str:
    """Post one update to the tenant's mailbox; visible after the tenant profile's delay (looked up unless
    the caller, who knows the tenant's profile, passes it). Returns the message id."""
    if kind not in KINDS:
        raise ValueError(f"unknown mailbox message kind {kind}")
    profile = profile or profile_for(settings_of(conn, tenant_key))
    if message_id is None:  # a fresh id: no message can have it yet
        message_id = str(uuid.uuid4())
    elif conn.execute(_EXISTS, {"k_tenant": tenant_key, "k_id": message_id}).first() is not None:
        return message_id
    _INSERT.execute_many(
        conn,
        [
            {
                "tenant": tenant_key,
                "message_id": message_id,
                "kind": kind,
                "claim_id": claim_id,
                "reference": reference,
                "amount_oere": amount_oere,
                "dato": dato,
                "visible_at": utc(profile.visible_at(now)),
                "data": data or {},
            }
        ],
    )
    return message_id


def view(row: Any) -> dict[str, Any]:
    return {
        "Sekvensnummer": row.seq,
        "BeskedID": row.message_id,
        "Type": row.kind,
        "FordringReference": row.reference,
        "Beløb": wire(row.amount_oere),
        "Dato": row.dato,
        "Synlig": row.visible_at,
        **({"Detaljer": row.data} if row.data else {}),
    }


_VISIBLE = (
    sa.select(tables.mailbox)
    .where(
        tables.mailbox.c.tenant == sa.bindparam("k_tenant"),
        tables.mailbox.c.seq > sa.bindparam("k_after"),
        tables.mailbox.c.visible_at <= sa.bindparam("k_now"),
    )
    .order_by(tables.mailbox.c.seq)
    .limit(sa.bindparam("k_limit"))
)
"""The first messages of a tenant visible by an instant, after a sequence number."""


def fetch(
    conn: Connection, tenant_key: str, *, after: int, now: datetime, limit: int = 100
) -> dict[str, Any]:
    """Messages visible by `now` with a sequence number above `after`, oldest first."""
    params = {"k_tenant": tenant_key, "k_after": after, "k_now": utc(now), "k_limit": limit}
    rows = conn.execute(_VISIBLE, params).all()
    messages = [view(r) for r in rows]
    cursor = messages[-1]["Sekvensnummer"] if messages else after
    return {"Besked": messages, "Cursor": cursor, "FlereBeskeder": len(rows) == limit}


def everything(conn: Connection, tenant_key: str) -> list[dict[str, Any]]:
    """Every message, visible or not (the admin view)."""
    rows = conn.execute(
        sa.select(tables.mailbox).where(tables.mailbox.c.tenant == tenant_key).order_by(tables.mailbox.c.seq)
    ).all()
    return [view(r) for r in rows]
