"""Durable state of the test kommune, keyed by tenant (anvendersystem × kommune).

SQLAlchemy Core over SQLite by default (a file under ./.testkommune/, or :memory:); a PostgreSQL URL
works the same way. Every answer a simulator gives is committed before it is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool
from testkommune.contracts.errors import SetupError
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

accounts = sa.Table(
    "debitor_accounts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(120), nullable=False),
    sa.Column("reference", sa.String(60), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("debtor_kind", sa.String(10), nullable=False),
    sa.Column("debtor_id", sa.String(20), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.UniqueConstraint("tenant", "reference", name="uq_account_ref"),
)

claims = sa.Table(
    "debitor_claims",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(120), nullable=False, index=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("debitor_accounts.id"), nullable=False),
    sa.Column("reference", sa.String(60), nullable=False),
    sa.Column("fordringstype", sa.String(7), nullable=False),
    sa.Column("state", sa.String(30), nullable=False),
    sa.Column("hovedstol_oere", sa.BigInteger, nullable=False),
    sa.Column("saldo_oere", sa.BigInteger, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("delivery_id", sa.String(80), nullable=False),
    sa.Column("psrm", sa.JSON, nullable=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Index("ix_debitor_claims_state", "tenant", "state"),
    sa.Index("ix_debitor_claims_ref", "tenant", "reference"),
)

psrm_actions = sa.Table(
    "psrm_actions",
    metadata,
    sa.Column("tenant", sa.String(120), primary_key=True),
    sa.Column("aktion_id", sa.String(60), primary_key=True),
    sa.Column("leverance_id", sa.String(60), nullable=False, index=True),
    sa.Column("kode", sa.String(60), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("claimant_ref", sa.String(60), nullable=True),
    sa.Column("received_at", sa.String(40), nullable=False),
    sa.Column("due_at", sa.String(40), nullable=False),
    sa.Column("processed_at", sa.String(40), nullable=True),
    sa.Column("target_id", sa.Integer, nullable=True),
    sa.Column("fordring_id", sa.String(20), nullable=True),
    sa.Column("hovedfordring_id", sa.String(20), nullable=True),
    sa.Column("request", sa.JSON, nullable=False),
    sa.Column("errors", sa.JSON, nullable=False),
    sa.Column("hearing", sa.JSON, nullable=True),
    sa.Index("ix_psrm_actions_pending", "tenant", "status", "due_at"),
)

psrm_claims = sa.Table(
    "psrm_claims",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(120), nullable=False, index=True),
    sa.Column("hovedfordring_id", sa.Integer, nullable=True),
    sa.Column("kompleks_id", sa.Integer, nullable=True),
    sa.Column("original_id", sa.Integer, nullable=True),
    sa.Column("kind", sa.String(12), nullable=False),
    sa.Column("art", sa.String(4), nullable=False),
    sa.Column("aktion_id", sa.String(60), nullable=False),
    sa.Column("claimant_ref", sa.String(60), nullable=False),
    sa.Column("fordringstype", sa.String(7), nullable=False),
    sa.Column("status", sa.String(30), nullable=False),
    sa.Column("recall_reason", sa.String(4), nullable=True),
    sa.Column("statsrefusion", sa.Boolean, nullable=False),
    sa.Column("hovedstol_oere", sa.BigInteger, nullable=False),
    sa.Column("saldo_oere", sa.BigInteger, nullable=False),
    sa.Column("received_at", sa.String(40), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Index("ix_psrm_claims_ref", "tenant", "claimant_ref"),
    sa.Index("ix_psrm_claims_status", "tenant", "status"),
)

psrm_events = sa.Table(
    "psrm_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(120), nullable=False, index=True),
    sa.Column("fordring_id", sa.Integer, nullable=False, index=True),
    sa.Column("aktion_id", sa.String(60), nullable=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("amount_oere", sa.BigInteger, nullable=False),
    sa.Column("virkningsdato", sa.String(10), nullable=False),
    sa.Column("booked_at", sa.String(40), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
)

psrm_payments = sa.Table(
    "psrm_payments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(120), nullable=False, index=True),
    sa.Column("skyldner", sa.String(20), nullable=False),
    sa.Column("amount_oere", sa.BigInteger, nullable=False),
    sa.Column("dato", sa.String(10), nullable=False),
    sa.Column("kilde", sa.String(20), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("registered_at", sa.String(40), nullable=False),
    sa.Column("result", sa.JSON, nullable=True),
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
        with self.engine.connect() as conn:
            if self.shared:  # workers starting together: one creates the schema, the others wait for it
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
            existing = set(sa.inspect(conn).get_table_names())
            legacy = "tenants" in existing and "meta" not in existing
            metadata.create_all(conn)
            self._check_version(conn, legacy)
            conn.commit()

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

    def reset_tenant(self, tenant: str) -> None:
        with self.transaction() as conn:
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
        self.engine.dispose()


def _engine(url: str) -> Engine:
    if url in ("sqlite://", "sqlite:///:memory:", ":memory:"):
        engine = sa.create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    elif url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    else:
        # a fixed pool: the default (5 kept, 10 overflow) closed and reopened a PostgreSQL session for most
        # calls under load, since up to 40 run at once in the threadpool (benchmarks/run_pg_scaling.py)
        return sa.create_engine(url, pool_pre_ping=True, pool_size=PG_POOL_SIZE, max_overflow=0)

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def tenant_tables() -> list[sa.Table]:
    """Every table that holds a tenant's state, children before parents (what a reset clears)."""
    return [t for t in reversed(metadata.sorted_tables) if "tenant" in t.c]


# the other counterparts register their tables on the same metadata
from testkommune.simulators.debitor import tables as _debitor_tables  # noqa: E402, F401
from testkommune.simulators.erp import tables as _erp_tables  # noqa: E402, F401
from testkommune.simulators.klassifikation import tables as _klassifikation_tables  # noqa: E402, F401
from testkommune.simulators.nemkonto import tables as _nemkonto_tables  # noqa: E402, F401
