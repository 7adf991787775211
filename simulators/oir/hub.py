"""Delivery guarantees of the ØiR hub: one answer per TransaktionsID, stored before it is sent.

The delivery row is the lock: it is inserted *before* the business work, in the same transaction. The
insert comes first and says whether the id was free (`INSERT … ON CONFLICT DO NOTHING` on SQLite and
PostgreSQL, a SAVEPOINT elsewhere), so a fresh delivery costs one statement before its business work. When
two servers share one database and both receive the same TransaktionsID, the second insert finds the primary
key (tenant, service, message_id) taken; that one then reads the stored answer and answers with it, and its
business work never runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError
from testkommune.contracts.clock import iso
from testkommune.contracts.findings import Finding, join_path
from testkommune.contracts.jsontext import content_digest
from testkommune.simulators import store
from testkommune.simulators.context import OpContext
from testkommune.simulators.prepared import Prepared


@dataclass(frozen=True, slots=True)
class Delivered:
    status: int
    body: dict[str, Any]
    replayed: bool


_KEY = (
    store.deliveries.c.tenant == sa.bindparam("k_tenant"),
    store.deliveries.c.service == sa.bindparam("k_service"),
    store.deliveries.c.message_id == sa.bindparam("k_message_id"),
)
_FIND = sa.select(store.deliveries).where(*_KEY)
_ANSWER = (
    sa.update(store.deliveries)
    .where(*_KEY)
    .values(status_code=sa.bindparam("status_code"), response=sa.bindparam("response"))
)
_ANSWER_PREPARED = Prepared(_ANSWER)  # compiled once, bound straight to the DB-API cursor
_CLAIM = sa.insert(store.deliveries)
_CLAIM_KEYS = ("tenant", "service", "message_id", "request_sha256", "status_code", "response", "received_at")
_UPSERTS: dict[str, Callable[[sa.Table], sqlite.Insert | postgresql.Insert]] = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}
# Built once per process: the hot path only binds values.


@cache
def _claim_if_free(dialect: str) -> sa.Insert | None:
    """The claim as `INSERT … ON CONFLICT (key) DO NOTHING RETURNING` (no row: taken), where the dialect has
    it. RETURNING, not the rowcount: PostgreSQL's driver does not report one for it through SQLAlchemy."""
    insert = _UPSERTS.get(dialect)
    if insert is None:
        return None
    key = [store.deliveries.c.tenant, store.deliveries.c.service, store.deliveries.c.message_id]
    return insert(store.deliveries).on_conflict_do_nothing(index_elements=key).returning(key[2])


@cache
def _claim_if_free_prepared(dialect: str) -> Prepared | None:
    """`_claim_if_free`, compiled once and bound straight to the DB-API cursor."""
    statement = _claim_if_free(dialect)
    return Prepared(statement, _CLAIM_KEYS) if statement is not None else None


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
    digest = content_digest(message)
    key = {"k_tenant": ctx.tenant.key, "k_service": service, "k_message_id": message_id}
    if _claim(ctx, service, message_id, digest):
        answer = business(message_id)
        body = {
            "Kvittering": {
                "TransaktionsID": message_id,
                "ModtagetTidspunkt": iso(ctx.now),
                "Status": "MODTAGET",
            },
            "Forretningskvittering": answer,
        }
        _ANSWER_PREPARED.execute(ctx.conn, key | {"status_code": 200, "response": body})
        return Delivered(200, body, replayed=False)
    # Delivered before, by us or by another server that has committed meanwhile.
    row = ctx.conn.execute(_FIND, key).first()
    if row is None:
        raise RuntimeError(f"delivery {service}/{message_id} collided but cannot be read back")
    return _replay(row, digest, message_id)


def _claim(ctx: OpContext, service: str, message_id: str, digest: str) -> bool:
    """Insert the delivery row (answer still empty); False when the id is taken by a committed delivery."""
    values = {
        "tenant": ctx.tenant.key,
        "service": service,
        "message_id": message_id,
        "request_sha256": digest,
        "status_code": 0,
        "response": {},
        "received_at": ctx.now.isoformat(),
    }
    if_free = _claim_if_free_prepared(ctx.conn.dialect.name)
    if if_free is not None:
        return if_free.execute(ctx.conn, values).fetchone() is not None
    _open_transaction(ctx.conn)
    try:
        with ctx.conn.begin_nested():
            ctx.conn.execute(_CLAIM, values)
    except IntegrityError:
        return False
    return True


def _open_transaction(conn: Connection) -> None:
    """Make sure the database transaction has begun before a SAVEPOINT is set.

    pysqlite begins a transaction only at the first INSERT/UPDATE/DELETE; a SAVEPOINT set before that
    starts one of its own, and releasing it would commit the claim alone, ahead of the business work.
    """
    if conn.dialect.name != "sqlite":
        return
    dbapi = conn.connection.dbapi_connection
    if dbapi is not None and not dbapi.in_transaction:
        conn.exec_driver_sql("BEGIN")


def _replay(row: Row[Any], digest: str, message_id: str) -> Delivered | Finding:
    if row.request_sha256 != digest:
        return Finding(
            "OIR-TRANSAKTIONSID-GENBRUGT",
            join_path("$", "Hovedoplysninger", "TransaktionsID"),
            {"value": message_id},
        )
    body = dict(row.response)
    body["Kvittering"] = dict(body["Kvittering"]) | {"Genfremsendt": True}
    return Delivered(row.status_code, body, replayed=True)
