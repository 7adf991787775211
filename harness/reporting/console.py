"""The console reporter: a run's progress and verdict for a person at a terminal (or reading a CI log).

Every line reads without colour (the marks are words), and long lines (curl commands) are never cut:
they are printed unwrapped so they can be copied whole.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.text import Text
from testkommune.harness.certify.events import Event, RunFinished, RunStarted, ScenarioFinished
from testkommune.harness.certify.results import Failure, RunResult, ScenarioResult

MARKS = {
    "passed": ("PASS", "bold green"),
    "failed": ("FAIL", "bold red"),
    "error": ("ERROR", "bold magenta"),
    "not_supported": ("NOT SUPPORTED", "bold yellow"),
}

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "header": "Certifying {fagsystem}: suite {suite}, seed {seed}, {count} scenario(s)",
        "failures": "Failing codes, first on top:",
        "check": "check",
        "field": "field",
        "expected": "expected",
        "actual": "actual",
        "error": "Error",
        "fix": "Fix:",
        "reproduce": "Reproduce:",
        "replay": "Replay the scenario:",
    },
    "da": {
        "header": "Certificerer {fagsystem}: suite {suite}, seed {seed}, {count} scenarie(r)",
        "failures": "Fejlkoder, første øverst:",
        "check": "kontrol",
        "field": "felt",
        "expected": "forventet",
        "actual": "faktisk",
        "error": "Undtagelse",
        "fix": "Ret:",
        "reproduce": "Genskab:",
        "replay": "Kør scenariet igen:",
    },
}


def summary_line(result: RunResult) -> str:
    """The verdict as one plain line, e.g. `VERDICT: PASSED (3 passed, 0 failed, 0 error)`."""
    counts = result.counts()
    tally = f"{counts['passed']} passed, {counts['failed']} failed, {counts['error']} error"
    tally += f", {counts['not_supported']} not supported" if counts["not_supported"] else ""
    line = f"VERDICT: {result.verdict} ({tally})"
    return line if result.scenarios else f"{line}: no scenarios ran"


def replay_command(result: RunResult, scenario_id: str) -> str:
    """The command that runs one scenario again with the same suite, seed and driver."""
    return (
        f"testkommune certify --suite {result.suite_id} --scenario {scenario_id} --seed {result.seed}"
        f" {driver_options(result.fagsystem_spec or result.fagsystem)}"
    )


def driver_options(spec: str) -> str:
    """The options that drive a fagsystem again, from how a run names it: a variant or module:attribute
    (`--fagsystem`), or `<http URL>`, `<observe SCRIPT>`, `<interactive>` for the other drivers."""
    if not spec.startswith("<"):
        return f"--fagsystem {shlex.quote(spec)}"
    kind, _, where = spec.strip("<>").partition(" ")
    if kind == "http":
        return f"--driver http --trigger-url {shlex.quote(where or '$TRIGGER_URL')}"
    if kind == "observe" and where:
        return f"--driver observe --script {shlex.quote(where)}"
    return f"--driver {shlex.quote(kind)}"


def show_value(value: Any) -> str:
    """An expected/actual value as JSON, so a string, a number and null are told apart."""
    return json.dumps(value, ensure_ascii=False, default=str)


class ConsoleReporter:
    """An EventHandler that writes a run's progress, verdict and failures to a rich Console."""

    def __init__(self, console: Console | None = None, *, language: str = "en") -> None:
        if language not in LABELS:
            raise ValueError(f"language must be one of {', '.join(LABELS)}, not {language!r}")
        self.console = console or Console()
        self.language = language
        self.labels = LABELS[language]

    def handle(self, event: Event) -> None:
        """Print what the event means for the reader; events with nothing to show are ignored."""
        if isinstance(event, RunStarted):
            self._run_started(event)
        elif isinstance(event, ScenarioFinished):
            self._line(self._scenario_line(event.result))
        elif isinstance(event, RunFinished):
            self._run_finished(event.result)

    # -- what is printed -------------------------------------------------------------------------------

    def _run_started(self, event: RunStarted) -> None:
        header = self.labels["header"].format(
            fagsystem=event.fagsystem, suite=event.suite_id, seed=event.seed, count=event.scenario_count
        )
        self._line(Text(header, style="bold"))

    def _scenario_line(self, scenario: ScenarioResult) -> Text:
        word, style = MARKS[scenario.outcome]
        return Text.assemble(
            (f"{word:<5}", style),
            " ",
            (scenario.scenario_id, "bold"),
            "  ",
            self._title(scenario),
            (f"  ({scenario.duration_s:.2f}s)", "dim"),
        )

    def _run_finished(self, result: RunResult) -> None:
        self.console.print()
        self._line(Text(summary_line(result), style="bold green" if result.passed else "bold red"))
        troubled = [s for s in result.scenarios if s.outcome != "passed"]
        if not troubled:
            return
        codes = ", ".join(dict.fromkeys(f.code for s in troubled for f in s.failures))
        self._line(Text.assemble((self.labels["failures"], "bold"), " ", (codes, "bold red")))
        for scenario in troubled:
            self._scenario_failures(result, scenario)

    def _scenario_failures(self, result: RunResult, scenario: ScenarioResult) -> None:
        self.console.print()
        self._line(self._scenario_line(scenario))
        for number, failure in enumerate(scenario.failures, start=1):
            self._failure(number, failure)
        if scenario.error:
            self._indented(Text(f"{self.labels['error']}: {scenario.error}", style="magenta"), 2)
        self._verbatim(f"  {self.labels['replay']} {replay_command(result, scenario.scenario_id)}")

    def _failure(self, number: int, failure: Failure) -> None:
        labels = self.labels
        check = f"  ({labels['check']} {failure.check})"
        self._line(Text.assemble(f"  {number}. ", (failure.code, "bold red"), check))
        self._indented(Text(f"{labels['field']}: {failure.field}"), 5)
        self._indented(Text(f"{labels['expected']}: {show_value(failure.expected)}"), 5)
        self._indented(Text(f"{labels['actual']}: {show_value(failure.actual)}"), 5)
        self._indented(Text(self._pick(failure.text_en, failure.text_da)), 5)
        self._indented(Text(f"{labels['fix']} {self._pick(failure.fix_en, failure.fix_da)}", style="cyan"), 5)
        if failure.reproduce:
            self._indented(Text(labels["reproduce"]), 5)
            self._verbatim(f"     {failure.reproduce}")

    # -- helpers ---------------------------------------------------------------------------------------

    def _title(self, scenario: ScenarioResult) -> str:
        return self._pick(scenario.title_en, scenario.title_da)

    def _pick(self, english: str, danish: str) -> str:
        """The text in the reporter's language, falling back to the other when it is empty."""
        return (danish or english) if self.language == "da" else (english or danish)

    def _line(self, text: Text) -> None:
        text.overflow = "fold"
        self.console.print(text, highlight=False)

    def _indented(self, text: Text, indent: int) -> None:
        text.overflow = "fold"
        self.console.print(Padding(text, (0, 0, 0, indent), expand=False), highlight=False)

    def _verbatim(self, line: str) -> None:
        """A line that must survive whole (a command to copy): never wrapped, never cut."""
        self.console.print(Text(line), soft_wrap=True, highlight=False)
