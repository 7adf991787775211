"""Screen a large body in another process, so parsing it never holds this process's event loop.

`json.loads` of a 4.5 MB object with 400,000 members holds the GIL for about half a second (longer on a
busy machine); on the event loop that delays every other tenant's call as long. A body of SCREEN_BYTES or
more is therefore parsed first in a helper process (one per server process, forked on first use), which
only answers whether some object has more than MAX_MEMBERS members; such a body is refused without this
process ever parsing it. No contract object has a tenth as many members.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from testkommune.contracts.errors import TestkommuneError

SCREEN_BYTES = 256 * 1024
MAX_MEMBERS = 1000

_pools: dict[int, ProcessPoolExecutor] = {}


class _TooManyMembersError(TestkommuneError):
    def __init__(self, members: int) -> None:
        super().__init__(f"{members} members in one object")
        self.members = members


def _count_only(pairs: list[tuple[str, Any]]) -> int:
    if len(pairs) > MAX_MEMBERS:
        raise _TooManyMembersError(len(pairs))
    return 0  # the screen keeps nothing: a placeholder instead of a dict


def members_over_limit(raw: bytes) -> int | None:
    """The member count of the first object over MAX_MEMBERS, or None (malformed JSON is left to the
    caller's own parser, which explains it)."""
    try:
        json.loads(raw, object_pairs_hook=_count_only)
    except _TooManyMembersError as exc:
        return exc.members
    except (ValueError, RecursionError):
        return None
    return None


def _pool() -> ProcessPoolExecutor:
    """This process's helper (a forked server worker makes its own)."""
    pool = _pools.get(os.getpid())
    if pool is None:
        pool = _pools[os.getpid()] = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
    return pool


async def oversized_object(raw: bytes) -> int | None:
    """`members_over_limit(raw)`, computed in the helper process when `raw` is large (else None)."""
    if len(raw) < SCREEN_BYTES:
        return None
    try:
        return await asyncio.get_running_loop().run_in_executor(_pool(), members_over_limit, raw)
    except BrokenProcessPool:
        _pools.pop(os.getpid(), None)
        return members_over_limit(raw)
