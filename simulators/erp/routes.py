"""SF1590_A operations (filled in as the ERP simulator grows)."""

from __future__ import annotations

from simulators.operations import Operation

OPERATIONS: tuple[Operation, ...] = ()
