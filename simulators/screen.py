"""Screen a large body in another process, so parsing it never holds this process's event loop.

`json.loads` of a 4.5 MB object with 400,000 members holds the GIL for about half a second (orjson: about a
tenth of a second, in one call); in this process that delays every other tenant's call as long. A body of
SCREEN_BYTES or more is therefore parsed first by a helper process, which only answers whether some object
has more than MAX_MEMBERS members; such a body is refused without this process ever parsing it. No contract
object has a tenth as many members.

The helper is `python -m testkommune.simulators.screen` (one per server process, started on first use): a
plain child reading length-prefixed bodies on its stdin and answering on its stdout. It is not forked from
the server, so it holds none of the server's locks, signal handlers or sockets, and it ends when its stdin
closes — when the server ends, however it ends, the helper goes too.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import threading
from typing import IO, Any

from starlette.concurrency import run_in_threadpool
from testkommune.contracts.errors import TestkommuneError

SCREEN_BYTES = 256 * 1024
MAX_MEMBERS = 1000
SCREENED = "testkommune.screened"
"""The ASGI scope key under which a middleware that screened a body already leaves the answer for the route
(the member count over the limit, or None), so the body is not screened twice."""
_FRAME = struct.Struct(">q")
"""A frame's header: the length of the body that follows (to the helper), or the answer (from it: -1 for
none)."""


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


class _Helper:
    """This process's helper child, asked one body at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None

    def ask(self, raw: bytes) -> int | None:
        with self._lock:
            try:
                return self._ask(raw)
            except (OSError, EOFError):  # the helper died (killed, out of memory): a new one next time
                self._stop()
                return members_over_limit(raw)

    def _ask(self, raw: bytes) -> int | None:
        child = self._started()
        stdin, stdout = child.stdin, child.stdout
        assert stdin is not None and stdout is not None
        stdin.write(_FRAME.pack(len(raw)) + raw)
        stdin.flush()
        (members,) = _FRAME.unpack(_read_exactly(stdout, _FRAME.size))
        return None if members < 0 else members

    def _started(self) -> subprocess.Popen[bytes]:
        if self._child is None or self._child.poll() is not None:
            command = [sys.executable, "-m", "testkommune.simulators.screen"]
            self._child = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
            )
        return self._child

    def _stop(self) -> None:
        if self._child is not None:
            self._child.kill()
            self._child.wait()
            self._child = None


_helpers: dict[int, _Helper] = {}


def _helper() -> _Helper:
    """This process's helper (a server worker process started by `serve --workers` makes its own)."""
    return _helpers.setdefault(os.getpid(), _Helper())


async def oversized_object(raw: bytes) -> int | None:
    """`members_over_limit(raw)`, computed by the helper process when `raw` is large (else None)."""
    if len(raw) < SCREEN_BYTES:
        return None
    return await run_in_threadpool(_helper().ask, raw)


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if data is None or len(data) < size:
        raise EOFError("the screen helper closed its answer stream")
    return bytes(data)


def _serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The helper's loop: answer each framed body until the server closes the stream."""
    while True:
        header = requests.read(_FRAME.size)
        if len(header) < _FRAME.size:
            return
        (size,) = _FRAME.unpack(header)
        members = members_over_limit(_read_exactly(requests, size))
        answers.write(_FRAME.pack(-1 if members is None else members))
        answers.flush()


if __name__ == "__main__":
    _serve(sys.stdin.buffer, sys.stdout.buffer)
