"""NemKonto's durable state, per tenant. Registered on `simulators.store.metadata` (store.py imports this)."""

from __future__ import annotations

from simulators.store import metadata  # noqa: F401
