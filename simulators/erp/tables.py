"""The ERP's durable state, per tenant: bilag with their forretningskvittering, bookings, the omsætningstabel.

Registered on `simulators.store.metadata` (listed in `simulators.counterparts`), so `Store()` creates them and
a tenant reset clears them.
"""

from __future__ import annotations

import sqlalchemy as sa
from testkommune.simulators.store import metadata

bilag = sa.Table(
    "erp_bilag",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(120), nullable=False),
    sa.Column("transaktions_id", sa.String(80), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("leverance", sa.String(10), nullable=False),  # STRAKS | MASSE
    sa.Column("bilag_id", sa.String(60), nullable=False),
    sa.Column("leverandoer_kort", sa.String(4), nullable=False),
    sa.Column("leverandoer_lang", sa.String(20), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # UNDER_BEHANDLING | GODKENDT | AFVIST
    sa.Column("booked_key", sa.String(80), nullable=True),  # kort/bilag id while booked: one booking per key
    sa.Column("received_at", sa.String(40), nullable=False),
    sa.Column("due_at", sa.String(40), nullable=False),
    sa.Column("processed_at", sa.String(40), nullable=True),
    sa.Column("request", sa.JSON, nullable=False),
    sa.Column("mapping", sa.JSON, nullable=True),  # per line: the kontostreng it maps to, or null
    sa.Column("answer", sa.JSON, nullable=True),  # the forretningskvittering
    sa.UniqueConstraint("tenant", "booked_key", name="uq_erp_bilag_booked"),
    sa.Index("ix_erp_bilag_transaktion", "tenant", "transaktions_id", "position"),
    sa.Index("ix_erp_bilag_bilag_id", "tenant", "bilag_id"),
    sa.Index("ix_erp_bilag_pending", "tenant", "status", "due_at"),
)

posteringer = sa.Table(
    "erp_posteringer",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(120), nullable=False),
    sa.Column("bilag_row", sa.Integer, sa.ForeignKey("erp_bilag.id"), nullable=False),
    sa.Column("linje", sa.Integer, nullable=False),
    sa.Column("kontostreng", sa.String(80), nullable=False),
    sa.Column("konto", sa.JSON, nullable=False),
    sa.Column("debet_oere", sa.BigInteger, nullable=False),
    sa.Column("kredit_oere", sa.BigInteger, nullable=False),
    sa.Column("tekst", sa.String(100), nullable=True),
    sa.Column("bogfoeringsdato", sa.String(10), nullable=False),
    sa.Column("booked_at", sa.String(40), nullable=False),
    sa.Index("ix_erp_posteringer_konto", "tenant", "kontostreng"),
)

opsaetning = sa.Table(
    "erp_opsaetning",
    metadata,
    sa.Column("tenant", sa.String(120), primary_key=True),
    sa.Column("omsaetningstabel", sa.JSON, nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
)

TABLES = (posteringer, bilag, opsaetning)
"""In deletion order (children first): what a tenant reset must clear."""
