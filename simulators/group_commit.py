"""Group commit for the embedded SQLite store: the calls one event-loop turn handles share one COMMIT.

On SQLite a server process handles its calls on the event loop's thread, one after the other, and each
call used to end with its own COMMIT (a WAL write of every page it touched). Here the calls that become
ready in the same turn of the loop each run in their own SAVEPOINT on one writer connection, and one
COMMIT at the start of the next turn makes all of them durable together. A call's answer is sent only
after that COMMIT (`Store.pending_commit`), so nothing is acknowledged before it is durable; if the
COMMIT fails, every call of the group is answered with a refusal and none is acknowledged.

A call that raises rolls back to its SAVEPOINT: the others of its group are not touched. Every other
transaction on the loop's thread (admin calls, resets) uses the same writer connection and commits at
once, after committing the open group first, so the loop never waits on its own lock. Other threads
(the harness reading evidence while the server runs in a thread) use their own pooled connections and
wait at most one turn for SQLite's write lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection, Engine


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop running on this thread, if any."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class GroupCommit:
    """One writer connection for the event loop's thread, and the COMMIT its pending calls wait for."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._loop: asyncio.AbstractEventLoop | None = None
        self._conn: Connection | None = None
        self._open = False
        """A group is open: its calls' writes wait for the COMMIT that `flush` does."""
        self._waiters: list[asyncio.Future[None]] = []
        """One future per call of the open group that awaits the COMMIT (`pending_commit`)."""
        self._log_restart = False
        """The checkpoint thread found the write-ahead log long: finish the copy after the next COMMIT."""
        self._caught_up: set[str] = set()
        """Tenants whose due batch work a call of the open group has done (see `Simulation.operation`)."""

    @contextmanager
    def grouped(self, loop: asyncio.AbstractEventLoop) -> Iterator[Connection]:
        """One call's work in a SAVEPOINT of the open group, committed at the start of the next turn."""
        conn = self._connection(loop)
        if not conn.in_transaction():
            conn.begin()
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        if not dbapi.in_transaction:
            # IMMEDIATE: take the write lock now (another process on the same file is waited for), so the
            # group never reads a snapshot it cannot then write on; and RELEASE below does not commit alone
            dbapi.execute("BEGIN IMMEDIATE")
        dbapi.execute("SAVEPOINT tk_call")  # raw: Core would compile it per call
        try:
            yield conn
        except BaseException:
            dbapi.execute("ROLLBACK TO tk_call")
            dbapi.execute("RELEASE tk_call")
            raise
        dbapi.execute("RELEASE tk_call")
        if not self._open:
            self._open = True
            loop.call_soon(self.flush)

    @contextmanager
    def immediate(self, loop: asyncio.AbstractEventLoop) -> Iterator[Connection]:
        """A transaction of its own on the writer connection, committed when the block ends."""
        conn = self._connection(loop)
        self.flush()
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()

    def caught_up(self, tenant: str) -> bool:
        return self._open and tenant in self._caught_up

    def mark_caught_up(self, tenant: str) -> None:
        """After a grouped call succeeded (a call rolled back to its SAVEPOINT undid its batch work too)."""
        if self._open:
            self._caught_up.add(tenant)

    def pending_commit(self) -> asyncio.Future[None] | None:
        """A future of the caller's own that the open group's COMMIT settles; None when nothing is pending.

        One future per waiting call, settled by `flush` itself: a call's answer goes out on the loop's
        next turn (a shared future behind `asyncio.shield` took two more turns, each running the handlers
        of calls that had arrived meanwhile), and a call that is cancelled cancels only its own future.
        """
        if not self._open or self._loop is None:
            return None
        waiter: asyncio.Future[None] = self._loop.create_future()
        self._waiters.append(waiter)
        return waiter

    def flush(self) -> None:
        """Commit the open group and tell its calls (an exception, if the COMMIT failed)."""
        opened, self._open = self._open, False
        waiters, self._waiters = self._waiters, []
        self._caught_up.clear()
        if not opened or self._conn is None:
            return
        error: Exception | None = None
        try:
            self._conn.commit()
        except Exception as exc:
            self._conn.rollback()
            error = exc
        for waiter in waiters:
            _settle(waiter, error)
        if self._log_restart:
            self.restart_log()

    def request_log_restart(self) -> None:
        """From the checkpoint thread: the log is long (a flag the loop's next `flush` reads)."""
        self._log_restart = True

    def restart_log(self) -> None:
        """Copy what the checkpoint thread has not yet copied of the log, with no transaction open, so that
        the next write starts the log over: the pages since the thread's pass, and a sync (5-20 ms)."""
        self._log_restart = False
        if self._conn is None or self._conn.in_transaction():
            return
        dbapi = self._conn.connection.dbapi_connection
        if dbapi is not None:
            with contextlib.suppress(sqlite3.Error):  # the thread asks again after its next pass
                dbapi.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        self.flush()
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connection(self, loop: asyncio.AbstractEventLoop) -> Connection:
        if self._loop is not loop or self._conn is None:  # a new loop (another test client or server)
            self.close()
            self._loop = loop
            self._conn = self._engine.connect()
        return self._conn


def _settle(pending: asyncio.Future[None], error: Exception | None) -> None:
    if pending.done() or pending.get_loop().is_closed():  # nobody can be waiting any more
        return
    if error is None:
        pending.set_result(None)
    else:
        pending.set_exception(error)
