"""The documentation pages in `docs/` are generated from the reference data and kept in step with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from testkommune.contracts.catalogue import ErrorEntry, error_catalogue
from testkommune.contracts.fordringstyper import fordringstyper
from testkommune.harness.docs import catalogues
from testkommune.harness.docs.catalogues import (
    ERROR_COLUMNS,
    ERROR_PAGE,
    FORDRINGSTYPER_PAGE,
    pages,
    write_pages,
)

DOCS = Path(__file__).resolve().parents[1] / "docs"
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _cells(line: str) -> list[str]:
    """The cells of a Markdown table row, split on unescaped pipes only."""
    return [c.strip() for c in _UNESCAPED_PIPE.split(line.strip())[1:-1]]


def _rows_starting(page: str, first_cell: str) -> list[str]:
    return [line for line in page.splitlines() if line.startswith(f"| {first_cell} |")]


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return pages()


@pytest.mark.parametrize("name", [ERROR_PAGE, FORDRINGSTYPER_PAGE])
def test_committed_page_equals_generated(name: str, generated: dict[str, str]) -> None:
    committed = DOCS / name
    assert committed.is_file(), f"docs/{name} is missing: run `testkommune docs` to regenerate"
    assert committed.read_text(encoding="utf-8") == generated[name], (
        f"docs/{name} is out of date with contracts/reference/: run `testkommune docs` to regenerate"
    )


def test_pages_are_deterministic_and_end_with_one_newline(generated: dict[str, str]) -> None:
    assert pages() == generated
    for content in generated.values():
        assert content.endswith("\n")
        assert not content.endswith("\n\n")


def test_every_error_code_is_one_table_row(generated: dict[str, str]) -> None:
    page = generated[ERROR_PAGE]
    for entry in error_catalogue():
        rows = _rows_starting(page, f"`{entry.code}`")
        assert len(rows) == 1, f"{entry.code} appears in {len(rows)} rows of {ERROR_PAGE}"
        assert len(_cells(rows[0])) == len(ERROR_COLUMNS), rows[0]


def test_error_areas_come_in_the_fixed_order(generated: dict[str, str]) -> None:
    areas = {entry.area for entry in error_catalogue()}
    headings = [line for line in generated[ERROR_PAGE].splitlines() if line.startswith("## ")]
    titles = [f"## {catalogues.AREA_TITLES.get(a, a)}" for a in catalogues.ordered_areas(areas)]
    positions = [headings.index(title) for title in titles]
    assert positions == sorted(positions)
    unknown_last = catalogues.ordered_areas({"zeta", "generelle", "alpha", "psrm"})
    assert unknown_last == ["psrm", "generelle", "alpha", "zeta"]


def test_every_fordringstype_code_appears(generated: dict[str, str]) -> None:
    page = generated[FORDRINGSTYPER_PAGE]
    for fordringstype in fordringstyper():
        rows = _rows_starting(page, f"`{fordringstype.kode}`")
        assert len(rows) == 1, f"{fordringstype.kode} appears in {len(rows)} rows of {FORDRINGSTYPER_PAGE}"
        assert len(_cells(rows[0])) == len(catalogues.TYPE_COLUMNS), rows[0]


def test_non_municipal_types_come_last(generated: dict[str, str]) -> None:
    page = generated[FORDRINGSTYPER_PAGE]
    others = page.split(f"## {catalogues.OTHER_CLAIMANTS}")
    assert len(others) == 2
    assert "\n## " not in others[1]
    for fordringstype in fordringstyper():
        assert (f"| `{fordringstype.kode}` |" in others[1]) is (not fordringstype.kommunal)


def test_a_pipe_in_a_text_does_not_break_the_table() -> None:
    entry = ErrorEntry(
        code="TEST-PIPE",
        native_code=None,
        severity="warning",
        text_da="Værdien {value} | er ugyldig",
        text_en="Value {value} | is invalid",
        fix_da="Send a|b",
        fix_en="Send a|b",
        source={"tag": "I", "ref": "a | b", "url": "https://example.org/x"},
        area="zz-test",
    )
    page = catalogues.render_error_page([entry])
    (row,) = _rows_starting(page, "`TEST-PIPE`")
    cells = _cells(row)
    assert len(cells) == len(ERROR_COLUMNS)
    assert cells[2] == r"Værdien `{value}` \| er ugyldig"
    assert cells[4] == r"Send a\|b"
    assert cells[5] == r"`I` [a \| b](https://example.org/x)"


def test_a_pipe_via_the_loader_is_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = ErrorEntry("TEST-LOADER", None, "error", "a|b", "c|d", "", "e|f", {"tag": "I"}, "psrm")
    monkeypatch.setattr(catalogues, "error_catalogue", lambda: [entry])
    (row,) = _rows_starting(catalogues.error_catalogue_page(), "`TEST-LOADER`")
    assert _cells(row) == ["`TEST-LOADER`", "error", r"a\|b", r"c\|d", r"e\|f", "`I`"]


def test_write_pages(tmp_path: Path, generated: dict[str, str]) -> None:
    paths = write_pages(tmp_path / "out")
    assert sorted(p.name for p in paths) == sorted(generated)
    for path in paths:
        assert path.read_bytes() == generated[path.name].encode("utf-8")
