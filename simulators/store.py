"""Durable state of the test kommune, keyed by tenant (anvendersystem × kommune): tenants, their clocks, the
ØiR hub's deliveries and the journal. Each counterpart keeps its own tables in its `tables.py`, registered on
this module's `metadata` (`simulators.counterparts` lists them); a tenant reset clears every one of them.

SQLAlchemy Core over SQLite by default (a file under ./.testkommune/, or :memory:); a PostgreSQL URL
works the same way. Every answer a simulator gives is committed before it is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool
from testkommune.contracts.errors import SetupError
from testkommune.contracts.jsontext import dumps, loads
from testkommune.simulators.checkpoint import Checkpointer
from testkommune.simulators.group_commit import GroupCommit, running_loop

DEFAULT_DIR = Path(".testkommune")
DEFAULT_URL = f"sqlite:///{DEFAULT_DIR / 'testkommune.db'}"

metadata = sa.MetaData()

tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("tenant", sa.String(120), primary_key=True),
    sa.Column("kommune", sa.String(3), nullable=False),
    sa.Column("system", sa.String(100), nullable=False),
    sa.Column("settings", sa.JSON, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)

clocks = sa.Table(
    "clocks",
    metadata,
    sa.Column("tenant", sa.String(120), primary_key=True),
    sa.Column("anchor", sa.String(40), nullable=False),
    sa.Column("real_anchor", sa.String(40), nullable=True),
    sa.Column("trajectory", sa.JSON, nullable=False),
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("tenant", sa.String(120), primary_key=True),
    sa.Column("service", sa.String(80), primary_key=True),
    sa.Column("message_id", sa.String(80), primary_key=True),
    sa.Column("request_sha256", sa.String(64), nullable=False),
    sa.Column("status_code", sa.Integer, nullable=False),
    sa.Column("response", sa.JSON, nullable=False),
    sa.Column("received_at", sa.String(40), nullable=False),
)


meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)

SCHEMA_VERSION = "7"

journal = sa.Table(
    "journal",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(120), nullable=False, index=True),
    sa.Column("sim_time", sa.String(40), nullable=False),
    sa.Column("real_time", sa.String(40), nullable=False),
    sa.Column("counterpart", sa.String(20), nullable=False),
    sa.Column("operation", sa.String(80), nullable=False),
    sa.Column("method", sa.String(10), nullable=False),
    sa.Column("path", sa.String(300), nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("request", sa.Text, nullable=True),
    sa.Column("response", sa.Text, nullable=True),
)


PG_POOL_SIZE = 20
"""PostgreSQL connections a server process keeps open; calls beyond it wait for one (pool_timeout 30 s)."""
SCHEMA_LOCK = 7_355_608_001
"""PostgreSQL advisory lock key held while a process creates or checks the schema."""
_TENANT_LOCK = sa.text("SELECT pg_advisory_xact_lock(hashtext(:tenant))")


class StoreVersionError(SetupError):
    """The state database belongs to another version of testkommune."""


class Store:
    """The database behind the simulators: one engine, short transactions, commit before answering."""

    def __init__(self, url: str = DEFAULT_URL) -> None:
        self.url = url
        self.engine = _engine(url)
        self.shared = self.engine.dialect.name == "postgresql"
        """Several server processes may share this database (PostgreSQL): batch work takes a tenant lock."""
        grouped = self.engine.dialect.name == "sqlite" and not isinstance(self.engine.pool, StaticPool)
        self._group = GroupCommit(self.engine) if grouped else None
        """SQLite file: the calls of one event-loop turn share a COMMIT (in memory: one shared connection)."""
        self._checkpointer = (
            Checkpointer(self.engine, self._group.request_log_restart) if self._group is not None else None
        )
        """SQLite file: the write-ahead log is copied into the file by a thread of its own (checkpoint.py)."""
        with self.engine.connect() as conn:
            if self.shared:  # workers starting together: one creates the schema, the others wait for it
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
            existing = set(sa.inspect(conn).get_table_names())
            legacy = "tenants" in existing and "meta" not in existing
            metadata.create_all(conn)
            self._check_version(conn, legacy)
            conn.commit()
        self.created = frozenset(metadata.tables)
        """The tables this store has created or found: the core tables and every counterpart's imported."""

    def ensure_tables(self) -> None:
        """Create the tables registered on `metadata` since this store was opened (a counterpart's tables
        module imported later); nothing when there are none."""
        if set(metadata.tables) <= self.created:
            return
        with self.engine.connect() as conn:
            if self.shared:
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
            metadata.create_all(conn)
            conn.commit()
        self.created = frozenset(metadata.tables)

    @property
    def reads_beside_writer(self) -> bool:
        """Whether a reader on another thread may run while the event loop writes: on a SQLite file (WAL: a
        reader never waits for the writer) and on PostgreSQL; not in memory (one shared connection)."""
        return self._group is not None or self.shared

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction, committed when the block ends (the caller may commit earlier: it continues)."""
        loop = running_loop() if self._group is not None else None
        if loop is not None and self._group is not None:
            with self._group.immediate(loop) as conn:
                yield conn
            return
        with self.engine.connect() as conn:
            yield conn
            conn.commit()

    @contextmanager
    def call_transaction(self) -> Iterator[Connection]:
        """A service call's transaction: on a SQLite file, on the event loop, it joins the turn's group
        commit (see `simulators.group_commit`); the caller must await `pending_commit()` before answering."""
        loop = running_loop() if self._group is not None else None
        if loop is None or self._group is None:
            with self.transaction() as conn:
                yield conn
            return
        with self._group.grouped(loop) as conn:
            yield conn

    def caught_up_this_turn(self, tenant: str) -> bool:
        """Whether a call of this group (this turn of the loop) already did the tenant's due batch work."""
        return self._group is not None and self._group.caught_up(tenant)

    def mark_caught_up(self, tenant: str) -> None:
        if self._group is not None:
            self._group.mark_caught_up(tenant)

    def pending_commit(self) -> asyncio.Future[None] | None:
        """The COMMIT a call handled in this turn waits for before it answers; None when it is durable."""
        return self._group.pending_commit() if self._group is not None else None

    def lock_tenant(self, conn: Connection, tenant: str) -> None:
        """Hold the tenant's batch lock until the transaction ends (PostgreSQL; SQLite has one writer)."""
        if self.shared:
            conn.execute(_TENANT_LOCK, {"tenant": tenant})

    def reset_tenant(self, tenant: str, before: Callable[[Connection], None] | None = None) -> None:
        """Clear the tenant's state; `before` runs first in the same transaction (it may keep a record)."""
        with self.transaction() as conn:
            if before is not None:
                before(conn)
            for table in tenant_tables():
                conn.execute(sa.delete(table).where(table.c.tenant == tenant))

    def _check_version(self, conn: Connection, legacy: bool) -> None:
        """Refuse a state database written by another schema version, with a message that says what to do."""
        found = conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
        found = "1" if legacy and found is None else found
        if found is None:
            conn.execute(sa.insert(meta).values(key="schema_version", value=SCHEMA_VERSION))
        elif found != SCHEMA_VERSION:
            raise StoreVersionError(
                f"the state database {self.url} was written by schema version {found}, this testkommune "
                f"uses {SCHEMA_VERSION}: delete it (it holds test data only) or pass another --db"
            )

    def close(self) -> None:
        if self._group is not None:
            self._group.close()
        if self._checkpointer is not None:
            self._checkpointer.close()
        self.engine.dispose()


def _engine(url: str) -> Engine:
    json_columns = {"json_serializer": dumps, "json_deserializer": loads}  # orjson, as json would (jsontext)
    if url in ("sqlite://", "sqlite:///:memory:", ":memory:"):
        engine = sa.create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}, **json_columns
        )
    elif url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **json_columns
        )
    else:
        # a fixed pool: the default (5 kept, 10 overflow) closed and reopened a PostgreSQL session for most
        # calls under load, since up to 40 run at once in the threadpool (benchmarks/run_pg_scaling.py)
        return sa.create_engine(
            url, pool_pre_ping=True, pool_size=PG_POOL_SIZE, max_overflow=0, **json_columns
        )

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA wal_autocheckpoint=0")  # the checkpoint thread does it (checkpoint.py)
        cursor.close()

    return engine


def plain(row: Any, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """A stored row as a dict of column → value, without the columns named in `exclude`. The names are plain
    `str` (SQLAlchemy's are a subclass, which orjson refuses as keys: every answer built from such rows was
    written by the slower `json`, in one call that held the GIL ~90 ms for 8 MB)."""
    return {str(k): v for k, v in row._mapping.items() if k not in exclude}


def inserted_id(result: CursorResult[Any]) -> int:
    """The id a single-row INSERT (without RETURNING) gave its row."""
    key = result.inserted_primary_key
    assert key is not None, "a single-row INSERT without RETURNING always reports its primary key"
    return int(key[0])


def tenant_tables() -> list[sa.Table]:
    """Every table that holds a tenant's state, children before parents (what a reset clears; not a table
    whose info says `survives_reset`, such as the attestation record)."""
    return [
        t for t in reversed(metadata.sorted_tables) if "tenant" in t.c and not t.info.get("survives_reset")
    ]
