"""A fagsystem that acts on its own, following a published test script (for the observation driver).

It stands for a vendor's system whose operators work through the script: it tails the JSON-lines file
and does each instruction with a Python fagsystem.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

from testkommune.contracts.codec import case_from_json
from testkommune.contracts.driver import KommuneConnection
from testkommune.contracts.events import event_from_json


class ScriptFollower:
    """Tails `script` in a thread and performs every instruction with `fagsystem` until stopped."""

    def __init__(self, script: Path, fagsystem: Any, *, token: str | None = None) -> None:
        self.script = script
        self.fagsystem = fagsystem
        self.token = token
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="script-follower")
        self.errors: list[str] = []

    def __enter__(self) -> ScriptFollower:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        done = 0
        while not self._stop.is_set():
            lines = self.script.read_text(encoding="utf-8").splitlines() if self.script.exists() else []
            if len(lines) < done:
                done = 0  # the harness started a new script
            for line in lines[done:]:
                self._do(json.loads(line))
                done += 1
            time.sleep(0.02)

    def _do(self, instruction: dict[str, Any]) -> None:
        try:
            if instruction["kind"] == "connect":
                self.fagsystem.connect(KommuneConnection(**(instruction["kommune"] | {"token": self.token})))
            elif instruction["kind"] == "bill":
                self.fagsystem.bill(
                    case_from_json(instruction["case"]), date.fromisoformat(instruction["today"])
                )
            elif instruction["kind"] == "pay_out":
                self.fagsystem.pay_out(
                    [case_from_json(c) for c in instruction["cases"]],
                    date.fromisoformat(instruction["today"]),
                )
            elif instruction["kind"] == "correct":
                self.fagsystem.correct(
                    case_from_json(instruction["case"]), date.fromisoformat(instruction["today"])
                )
            elif instruction["kind"] == "event":
                event = event_from_json(instruction["event"])
                getattr(self.fagsystem, instruction["event"]["event"])(
                    case_from_json(instruction["case"]), event, date.fromisoformat(instruction["today"])
                )
            elif instruction["kind"] == "finans":
                self.fagsystem.post_finans(
                    [case_from_json(c) for c in instruction["cases"]],
                    date.fromisoformat(instruction["today"]),
                    bool(instruction["masse"]),
                )
            else:
                self.fagsystem.run_daily(date.fromisoformat(instruction["today"]))
        except Exception as exc:  # a real operator would note it; the harness judges what arrived
            self.errors.append(f"{instruction['kind']}: {exc}")
