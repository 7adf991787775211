"""WAL checkpoints of a SQLite file store run in a thread of their own, never in a committing call."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path

import pytest
from testkommune.simulators import checkpoint
from testkommune.simulators.store import Store

ROWS = 1500
ROW_BYTES = 4096  # 1,500 rows of 4 KiB: about 6 MB, past the 1,000 pages at which SQLite checkpoints itself


def test_a_large_commit_stays_in_the_log_until_the_checkpoint_thread_copies_it(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(checkpoint, "INTERVAL_S", 3600.0)  # only the checkpoint at close, for this test
    path = tmp_path / "state.db"
    before = set(threading.enumerate())
    store = Store(f"sqlite:///{path}")
    [thread] = [t for t in set(threading.enumerate()) - before if t.name == "sqlite-checkpoint"]
    with store.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE blobs (data BLOB)")
    file_before = path.stat().st_size
    with store.engine.begin() as conn:  # one commit of about 6 MB
        conn.exec_driver_sql("INSERT INTO blobs VALUES (?)", [(b"x" * ROW_BYTES,) for _ in range(ROWS)])
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    wal = Path(f"{path}-wal")
    assert wal.stat().st_size > ROWS * ROW_BYTES  # durable in the log ...
    assert path.stat().st_size < file_before + ROW_BYTES * 10  # ... and not copied by the commit
    store.close()
    assert path.stat().st_size > file_before + ROWS * ROW_BYTES  # copied by the thread's last checkpoint
    assert not thread.is_alive()


@pytest.mark.parametrize("db", [":memory:"])
def test_a_store_in_memory_has_no_checkpoint_thread(db: str):
    before = set(threading.enumerate())
    store = Store(db)
    assert not [t for t in set(threading.enumerate()) - before if t.name == "sqlite-checkpoint"]
    store.close()


def test_the_log_starts_over_while_calls_write_without_a_pause(tmp_path: Path, monkeypatch):
    """Under steady writes the writer never begins with the whole log copied, so SQLite never started the
    log over and the file grew without bound (330 MB in 11 s at saturation); a long log now has the writer
    finish the copy after a COMMIT, and the log file stays near the threshold."""
    monkeypatch.setattr(checkpoint, "INTERVAL_S", 3600.0)  # the thread's passes are run below, in step
    monkeypatch.setattr(checkpoint, "LONG_LOG_FRAMES", 64)  # 256 kB of 4 kB pages
    path = tmp_path / "state.db"
    store = Store(f"sqlite:///{path}")
    with store.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE blobs (data BLOB)")
    wal = Path(f"{path}-wal")
    largest = 0
    thread_pass = store._checkpointer.checkpoint  # what the thread does every INTERVAL_S

    async def writer(n: int) -> None:
        nonlocal largest
        for i in range(375):
            with store.call_transaction() as conn:
                conn.exec_driver_sql("INSERT INTO blobs VALUES (?)", (b"x" * ROW_BYTES,))
                if n == 0 and i % 25 == 0:
                    thread_pass()  # as the thread's pass falls: while a group writes
            pending = store.pending_commit()
            assert pending is not None
            await pending
            largest = max(largest, wal.stat().st_size)

    async def main() -> None:
        await asyncio.gather(*(writer(n) for n in range(8)))  # 3,000 calls, about 12 MB, no pause between

    asyncio.run(main())
    store.close()
    assert largest < 5_000_000, f"the log grew to {largest:,} bytes"


def test_the_checkpoint_thread_runs_at_the_lowest_cpu_priority(tmp_path: Path):
    """On a busy core it copies while the event loop waits for work, instead of taking turns with calls."""
    before = set(threading.enumerate())
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    [thread] = [t for t in set(threading.enumerate()) - before if t.name == "sqlite-checkpoint"]
    for _ in range(100):  # it lowers its own priority as it starts
        if os.getpriority(os.PRIO_PROCESS, thread.native_id or 0) == checkpoint.NICE:
            break
        time.sleep(0.01)
    assert os.getpriority(os.PRIO_PROCESS, thread.native_id or 0) == 19
    store.close()
