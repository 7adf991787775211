"""The debitor system's durable state, per tenant: debitorkonti, fordringer, opkrævning, payments, set-off.

Registered on `simulators.store.metadata` (listed in `simulators.counterparts`), so `Store()` creates them.
Every table carries its tenant, so a tenant reset clears it. Money is in øre.
"""

from __future__ import annotations

import sqlalchemy as sa
from testkommune.simulators.store import metadata

OPKRAEVNING = "OPKRAEVNING"
OVERDRAGET = "OVERDRAGET"
UNDER_INDDRIVELSE = "UNDER_INDDRIVELSE"
HOERING = "HOERING"
BERO = "BERO"
ANNULLERET = "ANNULLERET"
"""The states of a fordring in the debitor system (`debitor_claims.state`)."""

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

delfordringer = sa.Table(
    "debitor_delfordringer",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(120), nullable=False, index=True),
    sa.Column("claim_id", sa.Integer, sa.ForeignKey("debitor_claims.id"), nullable=False, index=True),
    sa.Column("nr", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # HOVEDSTOL, RYKKERGEBYR, RENTE
    sa.Column("reference", sa.String(60), nullable=False),
    sa.Column("forfald", sa.String(10), nullable=True),
    sa.Column("srb", sa.String(10), nullable=True),
    sa.Column("beloeb_oere", sa.BigInteger, nullable=False),
    sa.Column("saldo_oere", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)

relations = sa.Table(
    "debitor_relations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(120), nullable=False, index=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("debitor_accounts.id"), nullable=False, index=True),
    sa.Column("claim_id", sa.Integer, nullable=True),
    # JURIDISK_ANSVARLIG, JURIDISK_MEDHAEFTER, ADMINISTRATOR, HAEFTELSE, ADRESSE_<role>
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("party_kind", sa.String(10), nullable=False),
    sa.Column("party_id", sa.String(20), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("valid_from", sa.String(10), nullable=False),
    sa.Column("valid_to", sa.String(10), nullable=True),
    sa.Index("ix_debitor_relations_party", "party_id", "kind"),
    sa.Index("ix_debitor_relations_claim", "claim_id"),
)

opkraevning = sa.Table(
    "debitor_opkraevning",
    metadata,
    sa.Column("claim_id", sa.Integer, sa.ForeignKey("debitor_claims.id"), primary_key=True),
    sa.Column("tenant", sa.String(120), nullable=False, index=True),
    sa.Column("rykker_sendt", sa.Integer, nullable=False),
    sa.Column("naeste_skridt", sa.String(10), nullable=True),  # the next day a step can be due
    sa.Column("renter_til", sa.String(10), nullable=True),
    # AKTIV, UDEN_FRIST, OVERDRAGET, BETALT, STANDSET, AFSLUTTET
    sa.Column("status", sa.String(20), nullable=False),
    sa.Index("ix_debitor_opkraevning_due", "tenant", "status", "naeste_skridt"),
)

letters = sa.Table(
    "debitor_letters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(120), nullable=False, index=True),
    sa.Column("account_id", sa.Integer, nullable=False),
    sa.Column("claim_id", sa.Integer, nullable=True),
    sa.Column("kind", sa.String(30), nullable=False),  # OPKRAEVNING, RYKKER, UNDERRETNING_OVERDRAGELSE, …
    sa.Column("recipient", sa.String(20), nullable=False),
    sa.Column("dato", sa.String(10), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
)

mailbox = sa.Table(
    "debitor_mailbox",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(120), nullable=False, index=True),
    sa.Column("message_id", sa.String(80), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("claim_id", sa.Integer, nullable=True),
    sa.Column("reference", sa.String(60), nullable=False),
    sa.Column("amount_oere", sa.BigInteger, nullable=False),
    sa.Column("dato", sa.String(10), nullable=False),
    sa.Column("visible_at", sa.String(40), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.UniqueConstraint("tenant", "message_id", name="uq_debitor_mailbox_id"),
)

payments = sa.Table(
    "debitor_payments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(120), nullable=False, index=True),  # the registering system
    sa.Column("kind", sa.String(20), nullable=False),  # INDBETALING, MODREGNING
    sa.Column("reference", sa.String(80), nullable=False),
    sa.Column("amount_oere", sa.BigInteger, nullable=False),
    sa.Column("dato", sa.String(10), nullable=False),
    sa.Column("result", sa.JSON, nullable=False),
    sa.Column("registered_at", sa.String(40), nullable=False),
    sa.UniqueConstraint("tenant", "kind", "reference", name="uq_debitor_payment_ref"),
)

coverages = sa.Table(
    "debitor_coverages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(120), nullable=False, index=True),  # the claim's tenant
    sa.Column("claim_id", sa.Integer, nullable=False, index=True),
    sa.Column("delfordring_id", sa.Integer, nullable=True),
    sa.Column("source", sa.String(20), nullable=False),  # INDBETALING, MODREGNING, PSRM, NEDSKRIVNING
    sa.Column("source_ref", sa.String(120), nullable=False),
    sa.Column("amount_oere", sa.BigInteger, nullable=False),
    sa.Column("dato", sa.String(10), nullable=False),
    sa.Column("booked_at", sa.String(40), nullable=False),
)

cursors = sa.Table(
    "debitor_cursors",
    metadata,
    sa.Column("tenant", sa.String(120), primary_key=True),
    sa.Column("psrm_event_id", sa.Integer, nullable=False),  # the last PSRM ledger event forwarded
)
