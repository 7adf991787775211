"""WAL checkpoints of a SQLite file store, in a thread of their own instead of on a committing call.

SQLite in WAL mode appends each COMMIT to the write-ahead log; by default the COMMIT that takes the log past
1,000 pages also copies the log into the database file and syncs it to disk (with `synchronous=NORMAL` the
only sync there is). On the group commit that COMMIT runs on the event loop's thread, so every few hundred
calls one call, and every call of the tenants waiting behind it, paid for the copy and the sync: the p99 at a
quarter of saturation was 14 ms where the p50 was 1.5 ms (`benchmarks/run_http.py --levels 25,50`).

So the store's connections never checkpoint (`PRAGMA wal_autocheckpoint=0`) and this thread runs a PASSIVE
checkpoint every INTERVAL_S on a pooled connection of its own: it copies what no reader still needs,
waits for no one and is waited for by no one. Durability is unchanged: a commit is durable once it is in the
log, whether or not the log has been copied yet.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

INTERVAL_S = 0.5
NICE = 19
"""The thread's CPU priority: lowest, so on a busy core it copies while the event loop waits for work rather
than taking turns with the calls (psrm-receive at half its saturation: p99 5.9 → 4.8-5.1 ms, as with no
checkpoints at all: 4.8)."""


LONG_LOG_FRAMES = 65536
"""A log this many pages long (256 MB of 4 kB pages) asks the writer to finish the copy (`on_long_log`). The
copy the writer finishes syncs the log and the file on the event loop (5-20 ms), so it is kept rare: at 16 MB
the p99 at saturation went from 18 to 37-43 ms and at half of it from 5 to 8-10 ms; at 256 MB, 17-25 and 5-8
(`benchmarks/run_http.py --paths psrm-receive,erp-voucher --levels 50`). An idle moment starts the log over
by itself: the thread's pass then copies all of it."""


class Checkpointer:
    """The thread that moves a SQLite file store's write-ahead log into its database file.

    SQLite starts the log from the beginning again only when a write begins with every page of it copied; the
    writer rarely waits that long under steady load, so the log file grew without bound (330 MB in 11 s at
    saturation). So when the log is long, this thread asks the writer (`on_long_log`) to copy the pages
    written since this thread's pass right after its next COMMIT, on its own connection, which lets its next
    write start the log over: the log file stays near LONG_LOG_FRAMES pages.
    """

    def __init__(self, engine: Engine, on_long_log: Callable[[], None] | None = None) -> None:
        self._engine = engine
        self._on_long_log = on_long_log
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with contextlib.suppress(AttributeError, OSError):  # Linux: a thread has a nice value of its own
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
        while not self._stop.wait(INTERVAL_S):
            self.checkpoint()

    def checkpoint(self) -> None:
        """One PASSIVE checkpoint; a store being closed or a busy file is left for the next one."""
        try:
            with self._engine.connect() as conn:
                row = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").first()
        except sa.exc.SQLAlchemyError:
            return
        if row is not None and row[1] >= LONG_LOG_FRAMES and self._on_long_log is not None:
            self._on_long_log()

    def close(self) -> None:
        """Stop the thread, after one last checkpoint (the log is left short for the next start)."""
        self._stop.set()
        self._thread.join(timeout=10)
        self.checkpoint()
