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

import threading

import sqlalchemy as sa
from sqlalchemy.engine import Engine

INTERVAL_S = 0.5


class Checkpointer:
    """The thread that moves a SQLite file store's write-ahead log into its database file."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(INTERVAL_S):
            self.checkpoint()

    def checkpoint(self) -> None:
        """One PASSIVE checkpoint; a store being closed or a busy file is left for the next one."""
        try:
            with self._engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except sa.exc.SQLAlchemyError:
            return

    def close(self) -> None:
        """Stop the thread, after one last checkpoint (the log is left short for the next start)."""
        self._stop.set()
        self._thread.join(timeout=10)
        self.checkpoint()
