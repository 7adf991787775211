"""An operation of a counterpart: its path, its contracts, its handler. Every counterpart lists its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from testkommune.simulators.context import OpContext

Handler = Callable[[Any, OpContext, dict[str, Any]], tuple[int, Any]]
"""(simulation, context, message) → (HTTP status, body or Finding)."""

Replay = Callable[[OpContext, Any], list[dict[str, Any]]]
"""(context, message) → the messages of a list answer the caller already read (for duplicate_answer)."""


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of one counterpart, with the contracts of its request and answer."""

    counterpart: str
    name: str
    path: str
    contract_in: str
    contract_out: str
    summary: str
    handler: Handler
    replay: Replay | None = None
    """For an answer that carries a message list: what a duplicate_answer fault sends again."""
