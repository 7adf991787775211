"""Injected faults, named and seedable, for rehearsing a fagsystem's resilience (recorded in the journal).

- `error`: the counterpart answers 503 before doing anything (nothing is booked).
- `lose_answer`: the call is processed and committed, but its answer is lost (504).
- `latency`: the answer comes `delay_ms` later (the event loop is not blocked).
- `service_window`: a planned window on the simulated clock in which the counterpart answers 503.
- `duplicate_answer`: the call is processed as usual, but its message list repeats messages the caller already
  received: the last message before the caller's cursor first (if any), then the page, then the page again — a
  receipt delivered twice.
- `reorder`: the call is processed as usual, but the messages of its list come in reverse order
  (out-of-order delivery).

The two list faults apply only to answers that carry a message list (`LISTS`: HentDaekningAfskrivning's
`Besked`); both may shape one answer (duplicate first, then reorder). They never change stored state.

A fault applies to one operation (or '*'), optionally to one counterpart, `count` times (None: until removed),
each time with `probability`, drawn from its own random generator seeded with `seed` — so a run repeats.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

BEFORE = ("error", "service_window")
AFTER = ("lose_answer", "latency")
LIST = ("duplicate_answer", "reorder")
KINDS = BEFORE + AFTER + LIST
LISTS = {"HentDaekningAfskrivning": "Besked"}  # operation -> the key of its answer's message list


@dataclass
class Fault:
    kind: str
    name: str
    operation: str = "*"
    counterpart: str = "*"
    count: int | None = 1
    probability: float = 1.0
    seed: int = 0
    delay_ms: int = 0
    window_from: datetime | None = None
    window_to: datetime | None = None
    fired: int = 0
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def matches(self, operation: str, counterpart: str, now: datetime) -> bool:
        if self.operation not in (operation, "*") or self.counterpart not in (counterpart, "*"):
            return False
        if self.count is not None and self.count <= 0:
            return False
        if self.kind == "service_window":
            return (
                self.window_from is not None
                and self.window_to is not None
                and self.window_from <= now < self.window_to
            )
        return self._rng.random() < self.probability

    def fire(self) -> None:
        self.fired += 1
        if self.count is not None:
            self.count -= 1

    def view(self) -> dict[str, Any]:
        out = {k: v for k, v in vars(self).items() if not k.startswith("_")}
        for key in ("window_from", "window_to"):
            if out[key] is not None:
                out[key] = out[key].isoformat()
        return out


def take(
    faults: list[Fault], phase: tuple[str, ...], operation: str, counterpart: str, now: datetime
) -> Fault | None:
    """The first fault of `phase` that fires for this call (and count it), or None."""
    for fault in faults:
        if fault.kind in phase and fault.matches(operation, counterpart, now):
            fault.fire()
            return fault
    return None


def shape(fault: Fault, body: dict[str, Any], key: str, earlier: list[dict[str, Any]]) -> dict[str, Any]:
    """The answer as a list fault delivers it (a new dict; `body` is left as it was)."""
    messages = list(body[key])
    if fault.kind == "duplicate_answer":
        messages = [*earlier, *messages, *messages]
    elif fault.kind == "reorder":
        messages.reverse()
    return body | {key: messages}
