"""The Klassifikationssystem's durable state, per tenant: the published versions of the fagsystem's sortiment
and, per version, its SF7002 delivery to the subscribing ERP.

Registered on `simulators.store.metadata` (listed in `simulators.counterparts`), so `Store()` creates them and
a tenant reset clears them. Version 1 is the standard sortiment and has no row.
"""

from __future__ import annotations

import sqlalchemy as sa
from testkommune.simulators.store import metadata

sortiment = sa.Table(
    "klassifikation_sortiment",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(120), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("navn", sa.String(200), nullable=True),
    sa.Column("vaerdier", sa.JSON, nullable=False),
    sa.Column("transaktions_id", sa.String(80), nullable=False),
    sa.Column("published_at", sa.String(40), nullable=False),
    sa.Column("due_at", sa.String(40), nullable=True),  # when it reaches the ERP; null: no subscription
    sa.Column("delivered_at", sa.String(40), nullable=True),
    sa.Column("dropped", sa.JSON, nullable=True),  # omsætningstabel entries the new version made unusable
    sa.UniqueConstraint("tenant", "version", name="uq_klassifikation_version"),
    sa.Index("ix_klassifikation_due", "tenant", "delivered_at", "due_at"),
)

TABLES = (sortiment,)
"""In deletion order (children first): what a tenant reset must clear."""
