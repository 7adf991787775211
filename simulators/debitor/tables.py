"""The debitor system's further durable state, per tenant (opkrævning, payments, set-off).

Registered on `simulators.store.metadata` (store.py imports this module).
"""

from __future__ import annotations

from simulators.store import metadata  # noqa: F401
