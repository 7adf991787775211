"""NemKonto's durable state, per tenant: bundles, their payments, the payouts made, the register.

Registered on `simulators.store.metadata` (listed in `simulators.counterparts`), so `Store()` creates them and
a tenant reset clears them. Uniqueness is kept by the database: a bundle reference (GrpId) and a payment
reference (EndToEndId) are each taken once per myndighed + dataleverandør (`*_key` columns, NULL while not
taken), and a payment is paid out at most once (`nemkonto_udbetalinger.transaktion_row` is unique).
"""

from __future__ import annotations

import sqlalchemy as sa
from testkommune.simulators.store import metadata

bundter = sa.Table(
    "nemkonto_bundter",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(120), nullable=False),
    sa.Column("transaktions_id", sa.String(80), nullable=False),
    sa.Column("grp_id", sa.String(40), nullable=False),
    sa.Column("myndighed", sa.String(20), nullable=False),  # "CVR:12345678" | "SE:12345678"
    sa.Column("leverandoer_kort", sa.String(4), nullable=False),
    sa.Column("leverandoer_lang", sa.String(20), nullable=False),
    sa.Column("bundt_key", sa.String(120), nullable=True),  # myndighed/kort/GrpId while taken
    sa.Column("nks_bundtnummer", sa.String(8), nullable=True),
    sa.Column("status", sa.String(20), nullable=False),  # UNDER_BEHANDLING | BEHANDLET | AFVIST
    sa.Column("received_at", sa.String(40), nullable=False),
    sa.Column("due_at", sa.String(40), nullable=False),
    sa.Column("processed_at", sa.String(40), nullable=True),
    sa.Column("fetched_at", sa.String(40), nullable=True),  # first fetched by a poll without TransaktionsID
    sa.Column("request", sa.JSON, nullable=False),
    sa.Column("fejl", sa.JSON, nullable=False),  # the bundle's modtagekontrol problems
    sa.UniqueConstraint("tenant", "bundt_key", name="uq_nemkonto_bundt_key"),
    sa.Index("ix_nemkonto_bundter_transaktion", "tenant", "transaktions_id"),
    sa.Index("ix_nemkonto_bundter_pending", "tenant", "status", "due_at"),
)

transaktioner = sa.Table(
    "nemkonto_transaktioner",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(120), nullable=False),
    sa.Column("bundt_row", sa.Integer, sa.ForeignKey("nemkonto_bundter.id"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("end_to_end_id", sa.String(40), nullable=False),
    sa.Column("reference_key", sa.String(120), nullable=True),  # myndighed/kort/EndToEndId while taken
    sa.Column("status", sa.String(20), nullable=False),  # UNDER_BEHANDLING | GODKENDT | AFVIST
    sa.Column("modtager_type", sa.String(3), nullable=False),  # CPR | CVR | SE
    sa.Column("modtager", sa.String(10), nullable=False),
    sa.Column("betalingsform", sa.String(10), nullable=False),
    sa.Column("betalingsart", sa.String(10), nullable=False),
    sa.Column("beloeb_oere", sa.BigInteger, nullable=False),
    sa.Column("modregnet_oere", sa.BigInteger, nullable=True),
    sa.Column("udbetalt_oere", sa.BigInteger, nullable=True),
    sa.Column("konto", sa.JSON, nullable=True),
    sa.Column("kontokilde", sa.String(10), nullable=True),  # ANMODNING | NEMKONTO
    sa.Column("modregning", sa.JSON, nullable=True),
    sa.Column("fejl", sa.JSON, nullable=False),
    sa.UniqueConstraint("tenant", "reference_key", name="uq_nemkonto_reference_key"),
    sa.Index("ix_nemkonto_transaktioner_bundt", "tenant", "bundt_row", "position"),
)

udbetalinger = sa.Table(
    "nemkonto_udbetalinger",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(120), nullable=False, index=True),
    sa.Column("transaktion_row", sa.Integer, sa.ForeignKey("nemkonto_transaktioner.id"), nullable=False),
    sa.Column("reference", sa.String(160), nullable=False),  # NKS bundtnummer + myndighed/kort/EndToEndId
    sa.Column("beloeb_oere", sa.BigInteger, nullable=False),
    sa.Column("konto", sa.JSON, nullable=False),
    sa.Column("betalingsdato", sa.String(10), nullable=False),
    sa.Column("udbetalt_at", sa.String(40), nullable=False),
    sa.UniqueConstraint("tenant", "transaktion_row", name="uq_nemkonto_udbetaling"),
)

register = sa.Table(
    "nemkonto_register",
    metadata,
    sa.Column("tenant", sa.String(120), primary_key=True),
    sa.Column("ident_type", sa.String(3), primary_key=True),
    sa.Column("ident", sa.String(10), primary_key=True),
    sa.Column("registreringsnummer", sa.String(4), nullable=False),
    sa.Column("kontonummer", sa.String(10), nullable=False),
    sa.Column("navn", sa.String(200), nullable=True),
    sa.Column("added_at", sa.String(40), nullable=False),
)

TABLES = (udbetalinger, transaktioner, bundter, register)
"""In deletion order (children first): what a tenant reset must clear."""
