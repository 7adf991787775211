"""SF1590_E operations as HTTP routes."""

from __future__ import annotations

from simulators.operations import Operation

OPERATIONS: tuple[Operation, ...] = ()
