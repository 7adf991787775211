"""PSRM's durable state, per tenant: the actions received, the claims under inddrivelse, their ledger events
and the payments registered.

Registered on `simulators.store.metadata` (listed in `simulators.counterparts`), so `Store()` creates them and
a tenant reset clears them.
"""

from __future__ import annotations

import sqlalchemy as sa
from testkommune.simulators.store import metadata

actions = sa.Table(
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

claims = sa.Table(
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

events = sa.Table(
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

payments = sa.Table(
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
