"""Group commit on a SQLite file: calls of one event-loop turn share a COMMIT, and none answers before it."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from testkommune.simulators.group_commit import GroupCommit

ROWS = sa.Table("rows", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))


@pytest.fixture
def db(tmp_path: Path) -> tuple[sa.Engine, Path, list[int]]:
    path = tmp_path / "g.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    ROWS.metadata.create_all(engine)
    commits: list[int] = []
    sa.event.listen(engine, "commit", lambda conn: commits.append(1))
    return engine, path, commits


def _on_disk(path: Path) -> list[int]:
    """What another process would read: only committed rows."""
    with sqlite3.connect(path) as other:
        return sorted(r[0] for r in other.execute("SELECT id FROM rows"))


def test_calls_of_one_turn_share_one_commit_and_wait_for_it(db) -> None:
    engine, path, commits = db
    group = GroupCommit(engine)
    seen_before_commit: list[list[int]] = []

    async def call(n: int) -> None:
        loop = asyncio.get_running_loop()
        with group.grouped(loop) as conn:
            conn.execute(sa.insert(ROWS).values(id=n))
        pending = group.pending_commit()
        assert pending is not None
        seen_before_commit.append(_on_disk(path))  # the answer would be sent only after the await below
        await pending

    async def main() -> None:
        await asyncio.gather(*(call(n) for n in range(1, 6)))

    asyncio.run(main())
    assert seen_before_commit == [[]] * 5  # nothing was on disk while the calls waited
    assert _on_disk(path) == [1, 2, 3, 4, 5]
    assert len(commits) == 1
    group.close()


def test_a_call_that_fails_is_rolled_back_alone(db) -> None:
    engine, path, _commits = db
    group = GroupCommit(engine)

    async def good() -> None:
        with group.grouped(asyncio.get_running_loop()) as conn:
            conn.execute(sa.insert(ROWS).values(id=1))
        await group.pending_commit()  # type: ignore[misc]

    async def bad() -> None:
        with group.grouped(asyncio.get_running_loop()) as conn:
            conn.execute(sa.insert(ROWS).values(id=2))
            raise RuntimeError("the handler failed half-way")

    async def main() -> list[object]:
        return await asyncio.gather(good(), bad(), return_exceptions=True)

    outcomes = asyncio.run(main())
    assert outcomes[0] is None and isinstance(outcomes[1], RuntimeError)
    assert _on_disk(path) == [1]
    group.close()


def test_an_immediate_transaction_commits_the_open_group_first(db) -> None:
    engine, path, _commits = db
    group = GroupCommit(engine)

    async def main() -> list[int]:
        loop = asyncio.get_running_loop()
        with group.grouped(loop) as conn:
            conn.execute(sa.insert(ROWS).values(id=1))
        waiting = group.pending_commit()
        with group.immediate(loop) as conn:  # an admin call on the same thread: must not wait on the lock
            conn.execute(sa.insert(ROWS).values(id=2))
        assert waiting is not None and waiting.done() and waiting.exception() is None
        return _on_disk(path)

    assert asyncio.run(main()) == [1, 2]
    group.close()


def test_a_failed_commit_refuses_every_waiting_call(db, monkeypatch) -> None:
    engine, path, _commits = db
    group = GroupCommit(engine)

    async def main() -> BaseException | None:
        loop = asyncio.get_running_loop()
        with group.grouped(loop) as conn:
            conn.execute(sa.insert(ROWS).values(id=1))
            monkeypatch.setattr(conn, "commit", _disk_full)
        pending = group.pending_commit()
        assert pending is not None
        try:
            await pending
        except OSError as exc:
            return exc
        return None

    refused = asyncio.run(main())
    assert isinstance(refused, OSError)
    assert _on_disk(path) == []
    group.close()


def _disk_full() -> None:
    raise OSError(28, "No space left on device")


def test_a_cancelled_call_leaves_the_others_of_its_group_waiting_for_the_commit(db) -> None:
    engine, path, commits = db
    group = GroupCommit(engine)

    async def call(n: int) -> list[int]:
        with group.grouped(asyncio.get_running_loop()) as conn:
            conn.execute(sa.insert(ROWS).values(id=n))
        pending = group.pending_commit()
        assert pending is not None
        await pending
        return _on_disk(path)

    async def main() -> list[object]:
        calls = [asyncio.ensure_future(call(n)) for n in (1, 2, 3)]
        await asyncio.sleep(0)  # all three wrote and wait
        calls[1].cancel()  # its client went away
        return await asyncio.gather(*calls, return_exceptions=True)

    outcomes = asyncio.run(main())
    assert outcomes[0] == [1, 2, 3] and outcomes[2] == [1, 2, 3]  # committed, then answered
    assert isinstance(outcomes[1], asyncio.CancelledError)
    assert len(commits) == 1
    group.close()
