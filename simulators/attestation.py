"""The kommune's record of a tenant's journal for an attestation (see `simulators/admin/attestation.py`):
kept across resets, one list of entry digests per reset, digested as contracts/attestation.py says."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from testkommune.contracts.attestation import entry_digest
from testkommune.simulators import store
from testkommune.simulators.tenancy import Tenant

SURVIVES_RESET = {"survives_reset": True}
"""Table info: a tenant reset keeps these rows (`store.tenant_tables`)."""

runs = sa.Table(
    "attestation_runs",
    store.metadata,
    sa.Column("tenant", sa.String(120), primary_key=True),
    sa.Column("started_at", sa.String(40), nullable=False),
    sa.Column("epochs", sa.Integer, nullable=False),  # resets folded in since the first (-1: none yet)
    info=SURVIVES_RESET,
)
entries = sa.Table(
    "attestation_entries",
    store.metadata,
    sa.Column("tenant", sa.String(120), primary_key=True),
    sa.Column("epoch", sa.Integer, primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    info=SURVIVES_RESET,
)


def journal_digests(conn: Connection, tenant: Tenant) -> list[str]:
    """The digest of every journal entry the tenant has now, oldest first, as `GET …/journal` shows it."""
    rows = conn.execute(
        sa.select(store.journal).where(store.journal.c.tenant == tenant.key).order_by(store.journal.c.id)
    ).all()
    return [entry_digest(store.plain(row, exclude=("tenant",))) for row in rows]


def fold(conn: Connection, tenant: Tenant) -> None:
    """Before a reset: keep the digests of the journal it clears, when an attestation record is open. The
    first reset after the start begins the run: what the journal held before it is not the run's."""
    epoch = conn.execute(sa.select(runs.c.epochs).where(runs.c.tenant == tenant.key)).scalar()
    if epoch is None:
        return
    digests = journal_digests(conn, tenant) if epoch >= 0 else []
    if digests:
        conn.execute(
            sa.insert(entries),
            [
                {"tenant": tenant.key, "epoch": epoch, "position": i, "sha256": d}
                for i, d in enumerate(digests)
            ],
        )
    conn.execute(sa.update(runs).where(runs.c.tenant == tenant.key).values(epochs=epoch + 1))


def epochs(conn: Connection, tenant: Tenant, folded: int) -> list[list[str]]:
    """The digests kept at each of the `folded` resets, then those of the journal the tenant has now."""
    stored = conn.execute(
        sa.select(entries.c.epoch, entries.c.sha256)
        .where(entries.c.tenant == tenant.key)
        .order_by(entries.c.epoch, entries.c.position)
    ).all()
    held: list[list[str]] = [[] for _ in range(max(folded, 0))]
    for row in stored:
        held[row.epoch].append(row.sha256)
    return [*held, journal_digests(conn, tenant)]  # and the journal since the last reset
