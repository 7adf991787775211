"""Durable state of the test kommune, keyed by tenant (anvendersystem × kommune).

SQLAlchemy Core over SQLite by default (a file under ./.testkommune/, or :memory:); a PostgreSQL URL
works the same way. Every answer a simulator gives is committed before it is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

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
    sa.Column("fordring_id", sa.String(20), nullable=True),
    sa.Column("hovedfordring_id", sa.String(20), nullable=True),
    sa.Column("request", sa.JSON, nullable=False),
    sa.Column("errors", sa.JSON, nullable=False),
    sa.Index("ix_psrm_actions_pending", "tenant", "status", "due_at"),
)

psrm_claims = sa.Table(
    "psrm_claims",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(120), nullable=False, index=True),
    sa.Column("hovedfordring_id", sa.Integer, nullable=True),
    sa.Column("aktion_id", sa.String(60), nullable=False),
    sa.Column("claimant_ref", sa.String(60), nullable=False),
    sa.Column("fordringstype", sa.String(7), nullable=False),
    sa.Column("status", sa.String(30), nullable=False),
    sa.Column("hovedstol_oere", sa.BigInteger, nullable=False),
    sa.Column("saldo_oere", sa.BigInteger, nullable=False),
    sa.Column("received_at", sa.String(40), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
)

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

TENANT_TABLES = (journal, psrm_claims, psrm_actions, claims, accounts, deliveries, clocks, tenants)


class Store:
    """The database behind the simulators: one engine, short transactions, commit before answering."""

    def __init__(self, url: str = DEFAULT_URL) -> None:
        self.url = url
        self.engine = _engine(url)
        metadata.create_all(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def reset_tenant(self, tenant: str) -> None:
        with self.transaction() as conn:
            for table in TENANT_TABLES:
                conn.execute(sa.delete(table).where(table.c.tenant == tenant))

    def close(self) -> None:
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
        return sa.create_engine(url, pool_pre_ping=True)

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine
