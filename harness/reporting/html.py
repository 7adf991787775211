"""The run as one self-contained HTML page for a person: a vendor's developer or KOMBIT's reviewer.

Languages: both, always. `language` ("en", the default, or "da") picks the labels and which language is
shown first; every text the results carry in both languages (scenario titles, failure texts, fixes) is
shown in both, the other language second, in a quieter style and marked with its own `lang` attribute.
One file therefore serves a Danish and an English reader; the flag only says who reads it first.

Layout: the verdict in words (not colour alone) at the top, then every failure (each with its own anchor),
then a view per rule code and a view per scenario with its steps on the simulated clock. A top navigation
of in-page anchors reaches each view in one click; there is no JavaScript at all.

Safe to open: the page loads nothing (no scripts, fonts, images or style sheets from anywhere), says so in
a Content-Security-Policy, and every string from the results is escaped by Jinja2's autoescaping. Links
are only in-page anchors or a rule's public source when its URL is plain http(s); anything else is text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from testkommune.contracts.catalogue import error_catalogue
from testkommune.harness import __version__
from testkommune.harness.certify.results import Failure, RunResult, ScenarioResult
from testkommune.harness.reporting.console import replay_command, show_value
from testkommune.harness.reporting.json_report import write_atomic
from testkommune.harness.reporting.labels import LABELS

TEMPLATES = Path(__file__).with_name("templates")

# Nothing may be fetched, run, framed or submitted; only the page's own <style> applies.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

_NOT_IN_ID = re.compile(r"[^A-Za-z0-9_.-]+")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass(slots=True)
class FailureView:
    """One failure as shown: its number and anchor on the page, values as JSON, its source."""

    number: int
    anchor: str
    failure: Failure
    expected: str
    actual: str
    source_text: str
    source_url: str | None


@dataclass(slots=True)
class ScenarioView:
    """One scenario as shown: its anchor, the replay command and its failures."""

    result: ScenarioResult
    anchor: str
    replay: str
    failures: list[FailureView] = field(default_factory=list)


@dataclass(slots=True)
class RuleFailures:
    """The failures that carry one rule code, with the scenario each came from."""

    code: str
    anchor: str
    where: list[tuple[ScenarioView, FailureView]] = field(default_factory=list)


@dataclass(slots=True)
class RuleCoverage:
    """A rule code some scenario covers: which scenarios, whether one failed, how often the code failed."""

    code: str
    scenarios: list[ScenarioView]
    failed: bool
    raised: int

    @property
    def status(self) -> str:
        """`failed` (a failure carries the code), `unproven` (a covering scenario failed for another
        reason, so the run does not show the rule is met) or `passed` (every covering scenario passed)."""
        if self.raised:
            return "failed"
        return "unproven" if self.failed else "passed"


@dataclass(frozen=True, slots=True)
class Signing:
    """Who the report is for and which key signs its evidence (shown in the run facts)."""

    vendor: str
    key_fingerprint: str


def write_html(
    result: RunResult, path: Path, *, language: str = "en", signing: Signing | None = None
) -> Path:
    """Write the HTML report to `path` (atomically, creating parent folders); returns the path."""
    return write_atomic(path, render_html(result, language=language, signing=signing).encode("utf-8"))


def render_html(result: RunResult, *, language: str = "en", signing: Signing | None = None) -> str:
    """The report as one HTML document; `language` ("en" or "da") comes first, the other second."""
    if language not in LABELS:
        raise ValueError(f"language must be one of {', '.join(LABELS)}, not {language!r}")
    context = report_context(result, language) | {"signing": signing}
    return _environment().get_template("report.html").render(context)


def rule_text(code: str, example: Failure | None = None) -> tuple[str, str]:
    """A rule code's catalogue text (English, Danish), placeholders shown as "…"; for a code the catalogue
    does not hold, the texts of `example` (a failure that carries it), else empty."""
    catalogue = error_catalogue()
    if code not in catalogue:
        return (example.text_en, example.text_da) if example else ("", "")
    entry = catalogue.get(code)
    return _PLACEHOLDER.sub("…", entry.text_en), _PLACEHOLDER.sub("…", entry.text_da)


def report_context(result: RunResult, language: str) -> dict[str, Any]:
    """Everything the template shows, computed here so the template only lays it out."""
    scenarios = scenario_views(result)
    counts = result.counts()
    labels = LABELS[language]
    other = "en" if language == "da" else "da"
    tally = labels["counts"].format(**counts) if result.scenarios else labels["no_scenarios"]
    return {
        "run": result,
        "language": language,
        "t": labels,
        "other": other,
        "other_t": LABELS[other],
        "csp": Markup(CSP),  # our own constant, written as is (no quotes of its own to escape)
        "tally": tally,
        "generated_by": f"testkommune {__version__}",
        "scenarios": scenarios,
        "troubled": [s for s in scenarios if s.result.outcome != "passed"],
        "failure_count": sum(len(s.failures) for s in scenarios),
        "rule_failures": rule_failures(scenarios),
        "coverage": rule_coverage(scenarios),
        "pair": lambda english, danish: bilingual(english, danish, language),
        "word": lambda outcome: labels.get(f"outcome_{outcome}", outcome),
        "rule_text": rule_text,
    }


def scenario_views(result: RunResult) -> list[ScenarioView]:
    """Every scenario with page anchors; failures are numbered 1… across the whole run, in run order."""
    anchors = _Anchors()
    views, number = [], 0
    for scenario in result.scenarios:
        view = ScenarioView(
            scenario,
            anchors.make("scenario", scenario.scenario_id),
            replay_command(result, scenario.scenario_id),
        )
        for failure in scenario.failures:
            number += 1
            view.failures.append(_failure_view(number, failure))
        views.append(view)
    return views


def rule_failures(scenarios: Iterable[ScenarioView]) -> list[RuleFailures]:
    """The failures grouped by rule code, codes in the order they first failed."""
    anchors = _Anchors()
    groups: dict[str, RuleFailures] = {}
    for scenario in scenarios:
        for view in scenario.failures:
            code = view.failure.code
            if code not in groups:
                groups[code] = RuleFailures(code, anchors.make("rule", code))
            groups[code].where.append((scenario, view))
    return list(groups.values())


def rule_coverage(scenarios: list[ScenarioView]) -> list[RuleCoverage]:
    """The union of the scenarios' `covers` codes: failed codes first, then unproven, then passed."""
    raised = Counter(view.failure.code for s in scenarios for view in s.failures)
    covering: dict[str, list[ScenarioView]] = {}
    for scenario in scenarios:
        for code in dict.fromkeys(scenario.result.covers):
            covering.setdefault(code, []).append(scenario)
    rows = [
        RuleCoverage(code, views, any(v.result.outcome != "passed" for v in views), raised[code])
        for code, views in covering.items()
    ]
    order = {"failed": 0, "unproven": 1, "passed": 2}
    return sorted(rows, key=lambda row: (order[row.status], row.code))


def bilingual(english: str, danish: str, language: str) -> list[tuple[str, str]]:
    """(lang, text) pairs, the reader's language first; an empty or identical second text is left out."""
    pairs = [("da", danish), ("en", english)] if language == "da" else [("en", english), ("da", danish)]
    shown = [(lang, text) for lang, text in pairs if text]
    if len(shown) == 2 and shown[0][1] == shown[1][1]:
        return shown[:1]
    return shown


def safe_link(url: Any) -> str | None:
    """`url` when it is a plain http(s) address to link to; None for anything else (javascript:, data:…)."""
    if not isinstance(url, str) or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def _failure_view(number: int, failure: Failure) -> FailureView:
    """A failure numbered for the page; its source as text, linked only when the URL is plain http(s)."""
    source = failure.source or {}
    text = " — ".join(str(source[k]) for k in ("ref", "title", "note") if source.get(k))
    if source.get("tag"):
        text = f"{text} ({source['tag']})" if text else str(source["tag"])
    url = source.get("url")
    link = safe_link(url)
    if url and not link:
        text = f"{text} {url}".strip()  # shown, never followed: javascript:, data: or anything odd
    return FailureView(
        number=number,
        anchor=f"failure-{number}",
        failure=failure,
        expected=show_value(failure.expected),
        actual=show_value(failure.actual),
        source_text=text or (link or ""),
        source_url=link,
    )


class _Anchors:
    """Unique, URL-fragment-safe ids from arbitrary text (scenario ids and codes come from suite files)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, prefix: str, text: str) -> str:
        base = f"{prefix}-{_NOT_IN_ID.sub('-', text).strip('-') or 'x'}"
        anchor, n = base, 1
        while anchor in self.used:
            n += 1
            anchor = f"{base}-{n}"
        self.used.add(anchor)
        return anchor


@cache
def _environment() -> Environment:
    """Jinja2 with autoescaping always on (every template is HTML) and undefined names as errors."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
