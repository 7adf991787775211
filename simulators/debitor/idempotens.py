"""Book a payment or set-off once per reference, also when two servers share one database.

The payment row is the lock, as in the ØiR hub (simulators/oir/hub.py): it is inserted *before* the
coverage, behind a SAVEPOINT; a second writer with the same (tenant, kind, reference) fails on the unique
constraint, reads the committed row and answers with its stored result.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from testkommune.simulators.debitor import tables


def _key(tenant_key: str, kind: str, reference: str) -> tuple[Any, ...]:
    return (
        tables.payments.c.tenant == tenant_key,
        tables.payments.c.kind == kind,
        tables.payments.c.reference == reference,
    )


def existing(conn: Connection, tenant_key: str, kind: str, reference: str) -> Any:
    return conn.execute(sa.select(tables.payments).where(*_key(tenant_key, kind, reference))).first()


def claim(
    conn: Connection,
    tenant_key: str,
    kind: str,
    reference: str,
    *,
    amount_oere: int,
    dato: str,
    now: datetime,
) -> Any:
    """Insert the payment row (result still empty) and return None; or return the row already there."""
    found = existing(conn, tenant_key, kind, reference)
    if found is not None:
        return found
    _open_transaction(conn)
    try:
        with conn.begin_nested():
            conn.execute(
                sa.insert(tables.payments).values(
                    tenant=tenant_key,
                    kind=kind,
                    reference=reference,
                    amount_oere=amount_oere,
                    dato=dato,
                    result={},
                    registered_at=now.isoformat(),
                )
            )
    except IntegrityError:
        found = existing(conn, tenant_key, kind, reference)
        if found is None:
            raise
        return found
    return None


def record(conn: Connection, tenant_key: str, kind: str, reference: str, result: dict[str, Any]) -> None:
    conn.execute(sa.update(tables.payments).where(*_key(tenant_key, kind, reference)).values(result=result))


def _open_transaction(conn: Connection) -> None:
    """pysqlite begins a transaction only at the first write; begin it before the SAVEPOINT (see hub.py)."""
    if conn.dialect.name != "sqlite":
        return
    dbapi = conn.connection.dbapi_connection
    if dbapi is not None and not dbapi.in_transaction:
        conn.exec_driver_sql("BEGIN")
