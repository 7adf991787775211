"""The progress display of a load run: req/s, p95, errors, users and elapsed time, once a second.

On a terminal it is one live line (rich); otherwise (CI, a pipe) a plain line every few seconds.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from rich.live import Live
from rich.text import Text

PLAIN_EVERY_S = 2.0
RATE_WINDOW_S = 4.0
"""req/s is measured over the last few seconds: a distributed master gets worker stats every 3 s."""


class Progress:
    def __init__(self, console: Any, env: Any, run_time_s: float) -> None:
        self.console = console
        self.env = env
        self.run_time_s = run_time_s
        self.live: Live | None = None
        self._last_plain = -PLAIN_EVERY_S
        self._samples: deque[tuple[float, int]] = deque([(0.0, 0)])  # (elapsed, requests)
        if console.is_terminal:
            self.live = Live(console=console, auto_refresh=False, transient=False)
            self.live.start()

    def line(self, elapsed: float) -> str:
        total = self.env.stats.total
        runner = self.env.runner
        p95 = total.get_current_response_time_percentile(0.95) or total.get_response_time_percentile(0.95)
        if elapsed - self._samples[-1][0] >= 0.5:
            self._samples.append((elapsed, total.num_requests))
        while len(self._samples) > 2 and elapsed - self._samples[1][0] >= RATE_WINDOW_S:
            self._samples.popleft()
        (first_at, first), (last_at, last) = self._samples[0], self._samples[-1]
        rps = (last - first) / (last_at - first_at) if last_at > first_at else 0.0
        share = 100.0 * total.num_failures / total.num_requests if total.num_requests else 0.0
        return (
            f"elapsed {elapsed:5.1f}/{self.run_time_s:g} s | users {runner.user_count if runner else 0:3d} | "
            f"req/s {rps:7.1f} | p95 {p95 or 0:6.0f} ms | requests {total.num_requests:6d} | "
            f"errors {total.num_failures} ({share:.2f} %)"
        )

    def show(self, elapsed: float) -> None:
        text = self.line(elapsed)
        if self.live is not None:
            self.live.update(Text(text), refresh=True)
        elif elapsed - self._last_plain >= PLAIN_EVERY_S:
            self._last_plain = elapsed
            self.console.print(text)

    def finish(self, elapsed: float) -> None:
        if self.live is not None:
            self.live.update(Text(self.line(elapsed)), refresh=True)
            self.live.stop()
        else:
            self.console.print(self.line(elapsed))
