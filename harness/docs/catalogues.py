"""Markdown pages for the error catalogue and the fordringstype catalogue, generated from the reference data.

The pages are never written by hand: every code, text and rule comes from `contracts/reference/` through
the loaders, and the output is deterministic so the committed copies in `docs/` can be compared with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from testkommune.contracts.catalogue import ErrorEntry, error_catalogue
from testkommune.contracts.fordringstyper import Fordringstype, fordringstyper
from testkommune.contracts.schemas import load_reference

ERROR_PAGE = "fejlkoder.md"
FORDRINGSTYPER_PAGE = "fordringstyper.md"

GENERATED_NOTE = (
    "> Generated from `contracts/reference/{source}` by `harness/docs/catalogues.py`. "
    "Do not edit by hand: run `testkommune docs` to regenerate."
)

AREA_ORDER = ("psrm", "oir", "erp", "identitet", "certificering", "generelle")
AREA_TITLES = {
    "psrm": "PSRM: claim intake at Gældsstyrelsen",
    "oir": "ØiR: the municipal economy integrations",
    "erp": "ERP: bogføring behind ØiR SF1590_A",
    "identitet": "Identitet: identification numbers",
    "certificering": "Certificering: end-to-end certification checks",
    "generelle": "Generelle: contract, HTTP and administration",
}

EVIDENCE_TAGS = (
    (
        "P",
        "Confirmed: stated on an official public page (gaeldst.dk, skat.dk, kombit.dk, kl.dk) "
        "or in Gældsstyrelsen's own fordringstype annexes.",
        "psrm.md",
    ),
    ("JV", "Confirmed: text of *Den juridiske vejledning*, section G.A.", "psrm.md"),
    ("S", "Secondary: a paraphrased capture of a gaeldst.dk page; medium-high confidence.", "psrm.md"),
    (
        "C",
        "In psrm.md: code evidence, real message and value names from RIM's own integration code. "
        "In oeir.md: confirmed by the cited source.",
        "psrm.md, oeir.md",
    ),
    (
        "S-code",
        "An error code from a third-party extraction (`mfhens/opendebt`) of RIM's rule set; "
        "the original rules were not visible: plausible, unverified.",
        "psrm.md",
    ),
    ("I", "Inference: testkommune's own reasoning or design choice, not a public fact.", "psrm.md, oeir.md"),
    ("G", "Gap: looked for, not found in the public material.", "oeir.md"),
)

ERROR_COLUMNS = ("Code", "Severity", "Dansk", "English", "Fix (en)", "Source")
TYPE_COLUMNS = (
    "Kode",
    "Navn",
    "English",
    "Kategori",
    "Renter",
    "Kræver",
    "Forbyder",
    "Særlige regler",
    "Aktiv",
    "Kilde",
)
OTHER_CLAIMANTS = "Andre fordringshavere (ikke kommunale)"
EMPTY = "—"

_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_T = TypeVar("_T")


# --- Markdown building blocks ---------------------------------------------------------------------------


def cell(text: str) -> str:
    """One table cell: kept on one line, with `|` escaped so it cannot split the row."""
    return " ".join(text.split()).replace("|", r"\|")


def row(cells: Iterable[str]) -> str:
    """A Markdown table row; every cell is escaped."""
    return "| " + " | ".join(cell(c) or EMPTY for c in cells) + " |"


def table(header: Sequence[str], rows: Iterable[Iterable[str]]) -> list[str]:
    """A Markdown table: header, separator and one line per row."""
    return [row(header), "|" + "---|" * len(header), *(row(r) for r in rows)]


def text(value: str) -> str:
    """Catalogue text as shown: `{placeholders}` in backticks, everything else as written."""
    return _PLACEHOLDER.sub(lambda m: f"`{m.group(0)}`", value)


def link(label: str, url: str) -> str:
    """A Markdown link whose label cannot break out of its brackets."""
    label = label.replace("[", r"\[").replace("]", r"\]")
    target = f"<{url}>" if any(c in url for c in " ()<>") else url
    return f"[{label}]({target})"


def source(src: Mapping[str, Any]) -> str:
    """Evidence tag, reference and (when there is one) a link to the public page."""
    tag, ref, url = src.get("tag", ""), src.get("ref", ""), src.get("url", "")
    parts = [f"`{tag}`"] if tag else []
    if url:
        parts.append(link(ref or "source", url))
    elif ref:
        parts.append(ref)
    return " ".join(parts)


def page(*blocks: Sequence[str]) -> str:
    """Blocks of lines separated by one blank line; the page ends with exactly one newline."""
    return "\n\n".join("\n".join(b) for b in blocks if b).rstrip("\n") + "\n"


def group(items: Iterable[_T], key: Callable[[_T], str]) -> dict[str, list[_T]]:
    """Items grouped by key, groups and items in first-seen order."""
    groups: dict[str, list[_T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


# --- Error catalogue ------------------------------------------------------------------------------------


def error_catalogue_page() -> str:
    """The error catalogue as a Markdown page."""
    return render_error_page(error_catalogue())


def render_error_page(entries: Iterable[ErrorEntry]) -> str:
    """The error page for the given entries (the loader's, or crafted ones in tests)."""
    by_area = group(entries, key=lambda e: e.area)
    areas = ordered_areas(by_area)
    sections = [area_section(area, by_area[area]) for area in areas]
    return page(_error_intro(), _evidence_section(), _overview(areas, by_area), *sections)


def ordered_areas(areas: Iterable[str]) -> list[str]:
    """The known areas in their fixed order, then any other area alphabetically."""
    present = set(areas)
    return [a for a in AREA_ORDER if a in present] + sorted(present - set(AREA_ORDER))


def error_row(entry: ErrorEntry) -> list[str]:
    """The table cells for one catalogue entry."""
    return [
        f"`{entry.code}`",
        entry.severity,
        text(entry.text_da),
        text(entry.text_en),
        text(entry.fix_en),
        source(entry.source),
    ]


def area_section(area: str, entries: Sequence[ErrorEntry]) -> list[str]:
    """One area: heading, count and the table of its codes."""
    title = AREA_TITLES.get(area, area)
    count = f"{len(entries)} code{'s' if len(entries) != 1 else ''}, from `fejlkoder/` area `{area}`."
    return [f"## {title}", "", count, "", *table(ERROR_COLUMNS, (error_row(e) for e in entries))]


def _prefixes(entries: Iterable[ErrorEntry]) -> str:
    seen = dict.fromkeys(e.code.split("-", 1)[0] + "-…" for e in entries)
    return ", ".join(f"`{p}`" for p in seen)


def _overview(areas: Sequence[str], by_area: Mapping[str, Sequence[ErrorEntry]]) -> list[str]:
    rows = ([AREA_TITLES.get(a, a), _prefixes(by_area[a]), str(len(by_area[a]))] for a in areas)
    return ["## Areas", "", *table(("Area", "Code prefixes", "Codes"), rows)]


def _error_intro() -> list[str]:
    return [
        "# Error catalogue / Fejlkatalog",
        "",
        GENERATED_NOTE.format(source="fejlkoder/*.json"),
        "",
        "Every finding testkommune reports carries a **code** from this catalogue, with a Danish and an "
        "English text and a fix. A code is stable: it keeps its meaning, so a vendor or KOMBIT can look it "
        "up here.",
        "",
        "- `PSRM-<n>` is a PSRM rejection code with PSRM's own number (*AfvistÅrsag*). The numbers and their "
        "meanings come from a third-party extraction of RIM's integration-service rules; the original rule "
        "source is not public, so they are **unverified, except 600**, which is seen in RIM's own code "
        "(psrm.md §5.3, §13).",
        "- `PSRM-<MNEMONIC>` is a PSRM rule that the public sources describe but give no number for.",
        "- The other prefixes name their area (see *Areas* below).",
        "",
        "Severity `error` means the message is refused; `warning` means it is reported but not refused. "
        "Texts may hold placeholders such as `{value}`, which the finding fills in; they are shown here as "
        "written. *Source* gives the evidence tag, the section of testkommune's domain notes (`psrm.md`, "
        "`oeir.md`) or other reference the rule rests on, and a link to the public page where there is one.",
    ]


def _evidence_section() -> list[str]:
    rows = ([f"`{tag}`", meaning, defined] for tag, meaning, defined in EVIDENCE_TAGS)
    return ["## Evidence tags", "", *table(("Tag", "Meaning", "Defined in"), rows)]


# --- Fordringstyper -------------------------------------------------------------------------------------


def fordringstyper_page() -> str:
    """The fordringstype catalogue as a Markdown page."""
    catalogue = fordringstyper()
    raw = load_reference("fordringstyper.json")
    extra = {t["kode"]: t for t in raw.get("fordringstyper", [])}
    fields: Mapping[str, Mapping[str, str]] = catalogue.fields or raw.get("stamdata_felter", {})
    types = list(catalogue)
    return render_fordringstyper_page(types, fields, extra, catalogue.version)


def render_fordringstyper_page(
    types: Sequence[Fordringstype],
    fields: Mapping[str, Mapping[str, str]],
    extra: Mapping[str, Mapping[str, Any]],
    version: str,
) -> str:
    """The fordringstype page for the given types, field descriptions and raw entries."""
    municipal = group((t for t in types if t.kommunal), key=lambda t: t.forretningsomraade)
    others = [t for t in types if not t.kommunal]
    render = TypeRenderer(list(fields), extra)
    sections = [render.section(_area_title(area), ts) for area, ts in municipal.items()]
    if others:
        sections.append(render.section(OTHER_CLAIMANTS, others, _OTHERS_NOTE))
    return page(_types_intro(types, version), _stamdata_section(fields), *sections)


_OTHERS_NOTE = (
    "Claim types of other claimants, listed so a vendor can recognise them: a kommune's agreement does not "
    "allow them, so PSRM refuses them from a kommune (`PSRM-151`)."
)


class TypeRenderer:
    """Renders fordringstype rows; knows the field order and the raw entries for sources the loader omits."""

    def __init__(self, field_order: Sequence[str], extra: Mapping[str, Mapping[str, Any]]) -> None:
        self.field_order = list(field_order)
        self.extra = extra

    def section(self, title: str, types: Sequence[Fordringstype], note: str = "") -> list[str]:
        """Heading, optional note and the table of types."""
        head = [f"## {title}", ""] + ([note, ""] if note else [])
        return [*head, *table(TYPE_COLUMNS, (self.row(t) for t in types))]

    def row(self, t: Fordringstype) -> list[str]:
        """The table cells for one fordringstype."""
        return [
            f"`{t.kode}`",
            t.navn,
            t.name_en,
            t.kategori,
            _yes_no(t.renter),
            self.fields(t.kraevet),
            self.fields(t.forbudt),
            special_rules(t),
            _yes_no(t.aktiv),
            self.sources(t),
        ]

    def fields(self, names: Iterable[str]) -> str:
        """Stamdata names in the order of `stamdata_felter`, unknown ones last."""
        rank = {name: i for i, name in enumerate(self.field_order)}
        ordered = sorted(names, key=lambda n: (rank.get(n, len(rank)), n))
        return ", ".join(f"`{n}`" for n in ordered)

    def sources(self, t: Fordringstype) -> str:
        """Where the code is documented, plus stamdata and rule sources that are not plain inference."""
        parts = [source(t.kilde)]
        if t.stamdata_kilde and t.stamdata_kilde.get("tag") != "I":
            parts.append("stamdata: " + source(t.stamdata_kilde))
        regler = self.extra.get(t.kode, {}).get("regler_kilde")
        if regler:
            parts.append("regler: " + source(regler))
        return "<br>".join(p for p in parts if p)


def special_rules(t: Fordringstype) -> str:
    """The type-specific rules beyond required and forbidden stamdata."""
    rules = []
    if t.min_periode_dage is not None:
        rules.append(f"periode mindst {t.min_periode_dage} dag{'e' if t.min_periode_dage != 1 else ''}")
    if t.kraever_dom_eller_forlig:
        rules.append("kræver dom eller forlig")
    if t.kraever_bfe:
        rules.append("kræver BFE")
    return "; ".join(rules)


def _yes_no(value: bool) -> str:
    return "ja" if value else "nej"


def _area_title(slug: str) -> str:
    return f"{slug.replace('_', ' ').capitalize()} (`{slug}`)"


def _types_intro(types: Sequence[Fordringstype], version: str) -> list[str]:
    municipal = sum(1 for t in types if t.kommunal)
    inferred = sum(1 for t in types if t.stamdata_kilde.get("tag") == "I")
    return [
        "# Fordringstyper",
        "",
        GENERATED_NOTE.format(source="fordringstyper.json"),
        "",
        f"A *fordringstype* is the 7-character code naming the legal basis of a claim sent to PSRM for "
        f"collection. This catalogue (data version {version}) holds {len(types)} types, {municipal} of them "
        "municipal.",
        "",
        "## Kategori: HF and RF",
        "",
        "- **HF**, *hovedfordring*: a main claim. It must not contain interest or fees.",
        "- **RF**, related claim: interest (*renter*) and fees (*gebyrer*). Sent only as a related claim, "
        "linked to the main claim it was computed on (psrm.md §1.3, §4.2).",
        "",
        "## Where the stamdata rules come from",
        "",
        "Gældsstyrelsen checks the stamdata of each type in its entry filter (*indgangsfilter*), but the "
        "per-type filter tables are not public (psrm.md §11, §13). Most required and forbidden sets below "
        f"are therefore our inference (tag `I`, {inferred} of {len(types)} types) from the general "
        "requirements for all claims (psrm.md §4.1). Where a public source states a type-specific rule, "
        "*Kilde* names it after the source of the code itself.",
        "",
        "Columns: *Renter* says whether the claim bears interest under collection (psrm.md §7); *Kræver* "
        "and *Forbyder* list the stamdata that must and must not be sent; *Særlige regler* are further type "
        "rules; *Aktiv* `nej` means the type is no longer accepted.",
    ]


def _stamdata_section(fields: Mapping[str, Mapping[str, str]]) -> list[str]:
    rows = ([f"`{name}`", desc.get("da", ""), desc.get("en", "")] for name, desc in fields.items())
    return ["## Stamdatafelter", "", *table(("Felt", "Dansk", "English"), rows)]


# --- Output ---------------------------------------------------------------------------------------------


def pages() -> dict[str, str]:
    """Every generated page, by file name."""
    from testkommune.harness.docs.coverage import COVERAGE_PAGE, coverage_page

    return {
        ERROR_PAGE: error_catalogue_page(),
        FORDRINGSTYPER_PAGE: fordringstyper_page(),
        COVERAGE_PAGE: coverage_page(),
    }


def write_pages(out_dir: Path) -> list[Path]:
    """Write the pages into out_dir (UTF-8, one trailing newline) and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in pages().items():
        path = out_dir / name
        path.write_text(content, encoding="utf-8", newline="\n")
        written.append(path)
    return written
