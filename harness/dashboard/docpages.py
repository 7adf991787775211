"""The project's Markdown pages as HTML: the generated catalogues (always current, from `harness.docs`) and
the summaries of the public sources under `docs/sources/` (in a source checkout).

A citation such as `psrm.md §5.3` becomes a link to that section of the project's own summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup, escape
from testkommune.harness.docs.catalogues import pages as generated_pages

DOCS = Path(__file__).resolve().parents[2] / "docs"
SOURCES = ("psrm", "oeir", "filterregler", "soap")
_CITATION = re.compile(r"\b(psrm|oeir|filterregler|soap)\.md((?:,? ?§ ?[0-9]+(?:\.[0-9]+)*)*)")
_SECTION = re.compile(r"§ ?([0-9]+(?:\.[0-9]+)*)")
_HEADING = re.compile(r"<h([1-4])>(§ ?([0-9]+(?:\.[0-9]+)*).*?)</h\1>")
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


@dataclass(frozen=True, slots=True)
class Page:
    name: str
    title: str
    html: Markup


def _anchor(section: str) -> str:
    return "s" + section.replace(".", "-")


def _link_citations(html: str) -> str:
    def link(match: re.Match[str]) -> str:
        source, sections = match.group(1), match.group(2)
        first = _SECTION.search(sections or "")
        target = f"/pages/sources/{source}" + (f"#{_anchor(first.group(1))}" if first else "")
        return f'<a href="{target}">{match.group(0)}</a>'

    parts = re.split(r"(<[^>]*>)", html)
    inside_link = False
    for i, part in enumerate(parts):
        if part.startswith("<"):
            inside_link = part.startswith("<a ") or (inside_link and part != "</a>")
        elif not inside_link:
            parts[i] = _CITATION.sub(link, part)
    return "".join(parts)


def _ids(html: str) -> str:
    return _HEADING.sub(
        lambda m: f'<h{m.group(1)} id="{_anchor(m.group(3))}">{m.group(2)}</h{m.group(1)}>', html
    )


def _source_pages() -> dict[str, str]:
    folder = DOCS / "sources"
    return {
        f"sources/{file.stem}": file.read_text(encoding="utf-8")
        for file in sorted(folder.glob("*.md"))
        if folder.is_dir()
    }


@cache
def _all() -> dict[str, str]:
    generated = {name.removesuffix(".md"): text for name, text in generated_pages().items()}
    return generated | _source_pages()


def _title(markdown: str, name: str) -> str:
    heading = next((line for line in markdown.splitlines() if line.startswith("# ")), None)
    return heading[2:].strip() if heading else name


def listing() -> list[tuple[str, str]]:
    """(name, title) of every page."""
    return [(name, _title(text, name)) for name, text in _all().items()]


def render_page(name: str) -> Page | None:
    """The page called `name` as HTML (Markdown's raw HTML is escaped, never passed through)."""
    markdown = _all().get(name)
    if markdown is None:
        return None
    html = _ids(_link_citations(_MARKDOWN.render(markdown)))
    return Page(name, str(escape(_title(markdown, name))), Markup(html))
