"""WAL checkpoints of a SQLite file store run in a thread of their own, never in a committing call."""

from __future__ import annotations

import threading
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
