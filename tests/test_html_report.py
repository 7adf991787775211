"""The HTML report: one self-contained, bilingual page, safe to open, and checked in a real browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from testkommune.harness.certify.results import Failure, RunResult, ScenarioResult, StepRecord
from testkommune.harness.reporting import write_html
from testkommune.harness.reporting.html import CSP, Signing, render_html

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(document.domain)"
CURL = (
    "curl -sS -X POST 'http://127.0.0.1:8585/psrm/MFFordringIndberet' -H 'Content-Type: application/json' "
    '--data \'{"Skyldner": "Søren Ærø-Åberg", "note": "' + SCRIPT + "\"}'"
)
SOURCE_URL = "https://www.gaeldst.dk/fordringshaver/find-vejledning/"
VOID = {"meta", "br", "hr", "img", "input", "link", "source", "wbr", "area", "base", "col", "embed", "track"}


# -- the run rendered: one passing and two failing scenarios ----------------------------------------------


def _failure(code: str, **changes: object) -> Failure:
    values: dict[str, object] = {
        "check": "psrm_accepted",
        "code": code,
        "field": "$.MFFordringIndberet_I.Periode.Til",
        "expected": "2026-01-31",
        "actual": "2026-01-01",
        "text_da": f"Perioden slutter før den begynder ({code}).",
        "text_en": f"The period ends before it begins ({code}).",
        "fix_da": "Send Til efter Fra.",
        "fix_en": "Send Til after Fra.",
        "source": {"tag": "P", "ref": "psrm.md §1.3", "url": SOURCE_URL},
    }
    return Failure(**(values | changes))  # type: ignore[arg-type]


def _run() -> RunResult:
    passing = ScenarioResult(
        "BASIS-01",
        "Månedlig opkrævning",
        "Monthly billing",
        ["PSRM-SRB", "ID-CPR-DATO"],
        "psrm.md §1.3",
        "passed",
        steps=[StepRecord(1, "bill", "bill 1", "2026-09-20T09:00:00+02:00")],
        duration_s=0.25,
    )
    periode = ScenarioResult(
        "BASIS-02",
        "Periode på fordring",
        "Period on the claim",
        ["PSRM-PERIODE", "PSRM-SRB"],
        "psrm.md §5.1",
        "failed",
        failures=[
            _failure("PSRM-PERIODE", reproduce=CURL),
            _failure(
                "PSRM-BELOEB",
                check="psrm_amount",
                field="$.Beløb",
                expected=1200.5,
                actual=None,
                text_en=f"Amount rejected: {SCRIPT}",
                text_da=f"Beløb afvist: {BREAKOUT}",
                fix_en=f"See {JS_URL}",
                source={"ref": "psrm.md §4", "url": JS_URL},
            ),
        ],
        steps=[
            StepRecord(1, "bill", "bill 1", "2026-09-20T09:00:00+02:00"),
            StepRecord(2, "advance_to", "advance_to 2026-10-20", "2026-09-20T09:00:00+02:00"),
            StepRecord(3, "expect", "psrm_accepted", "2026-10-20T09:00:00+02:00", "failed"),
        ],
        duration_s=1.5,
    )
    daily = ScenarioResult(
        "BASIS-03",
        "Dagligt job",
        "Daily job",
        ["OIR-SVAR-TABT"],
        "oeir.md §5",
        "failed",
        failures=[_failure("PSRM-PERIODE", check="handover_after_srb", actual=BREAKOUT)],
        steps=[StepRecord(1, "daily", "daily", "2026-10-21T09:00:00+02:00", "failed")],
        duration_s=0.75,
    )
    return RunResult(
        suite_id="basis",
        suite_title="The basic claim road",
        fagsystem="foraeldrebetaling",
        fagsystem_version="1.2.3",
        driver="python",
        kommune="851",
        system="foraeldrebetaling",
        seed=7,
        contracts_version="2026.11.0",
        started_at="2026-02-01T08:00:00+00:00",
        base_url="http://127.0.0.1:8585",
        scenarios=[passing, periode, daily],
        finished_at="2026-02-01T08:00:03+00:00",
        fagsystem_spec="mypkg.fagsystem:MySystem",
        duration_s=2.5,
    )


def _passing() -> RunResult:
    run = _run()
    run.scenarios = run.scenarios[:1]
    return run


# -- a small DOM, so tests read the page as a browser would (entities decoded, structure kept) ------------


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self) -> list[Node]:
        found = [self]
        for child in self.children:
            if isinstance(child, Node):
                found += child.walk()
        return found

    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def find_all(self, tag: str, cls: str | None = None) -> list[Node]:
        return [n for n in self.walk() if n.tag == tag and (cls is None or cls in n.classes())]

    def by_id(self, anchor: str) -> Node:
        (node,) = [n for n in self.walk() if n.attrs.get("id") == anchor]
        return node


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _dom(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.stack == [builder.root], "every element is closed"
    return builder.root


def _squash(text: str) -> str:
    return " ".join(text.split())


def _rows(table: Node) -> list[list[str]]:
    """A table's rows as lists of cell texts (header row included)."""
    return [[_squash(c.text()) for c in row.children if isinstance(c, Node)] for row in table.find_all("tr")]


def _facts(node: Node) -> dict[str, str]:
    """The <dt>/<dd> pairs under `node`, texts squashed."""
    facts: dict[str, str] = {}
    for dl in node.find_all("dl"):
        terms = [n for n in dl.walk() if n.tag in ("dt", "dd")]
        pairs = zip(terms[::2], terms[1::2], strict=True)
        facts |= {_squash(dt.text()): _squash(dd.text()) for dt, dd in pairs}
    return facts


# -- structure ----------------------------------------------------------------------------------------------


def test_write_html_writes_one_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "report.html"
    assert write_html(_run(), target) == target
    html = target.read_text(encoding="utf-8")
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert html == render_html(_run())
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]


def test_header_shows_the_verdict_in_words_and_the_run(tmp_path: Path) -> None:
    dom = _dom(render_html(_run()))
    (verdict,) = dom.find_all("h1", "verdict")
    assert _squash(verdict.text()) == "✗ FAILED IKKE BESTÅET"
    banner = _squash(dom.find_all("header")[0].text())
    assert "1 passed, 2 failed, 0 error" in banner
    assert "Failing codes: PSRM-PERIODE, PSRM-BELOEB" in banner
    run = dom.by_id("run")
    note = _squash(run.find_all("p", "synthetic")[0].text())
    assert note == "Syntetiske testdata — ingen rigtige personer. Synthetic test data — no real persons."
    facts = _facts(run)
    assert facts["Fagsystem"] == "foraeldrebetaling version 1.2.3"
    assert facts["Suite"] == "basis The basic claim road"
    assert (facts["Seed"], facts["Kommune"], facts["Anvendersystem"]) == ("7", "851", "foraeldrebetaling")
    assert facts["Contracts version"] == "2026.11.0"
    assert (facts["Started"], facts["Finished"]) == ("2026-02-01T08:00:00+00:00", "2026-02-01T08:00:03+00:00")
    assert facts["Fagsystem given as"] == "mypkg.fagsystem:MySystem"


def test_a_passing_run_says_so_and_has_an_empty_failures_view() -> None:
    dom = _dom(render_html(_passing()))
    assert _squash(dom.find_all("h1", "verdict")[0].text()) == "✓ PASSED BESTÅET"
    assert "banner verdict-passed" in (dom.find_all("header")[0].attrs["class"] or "")
    assert "No failures: every scenario passed." in dom.by_id("failures").text()
    assert not dom.find_all("div", "failure")


def test_an_empty_run_fails_and_says_why() -> None:
    run = _run()
    run.scenarios = []
    dom = _dom(render_html(run))
    assert "FAILED" in dom.find_all("h1", "verdict")[0].text()
    assert "no scenarios ran" in dom.find_all("header")[0].text()


def test_failures_come_first_one_click_from_the_top() -> None:
    html = render_html(_run())
    dom = _dom(html)
    nav = dom.find_all("nav")[0]
    links = [a.attrs["href"] for a in nav.find_all("a")]
    assert links[1] == "#failures"
    assert dom.by_id("failures").tag == "section"
    headings = [_squash(h.text()) for h in dom.find_all("h2")]
    assert headings[0] == "Failures (3)"
    assert html.index('id="failures"') < html.index('id="rules"') < html.index('id="scenarios"')


def test_every_failure_has_its_anchor_and_everything_to_fix_it() -> None:
    dom = _dom(render_html(_run()))
    first = dom.by_id("failure-1")
    heading = _squash(first.find_all("h4")[0].text())
    assert heading == "#1 PSRM-PERIODE Scenario BASIS-02 · Check: psrm_accepted"
    assert _squash(first.find_all("p", "text")[0].text()) == (
        "The period ends before it begins (PSRM-PERIODE). Perioden slutter før den begynder (PSRM-PERIODE)."
    )
    assert _facts(first) == {
        "Field (JSON path)": "$.MFFordringIndberet_I.Periode.Til",
        "Expected": '"2026-01-31"',
        "Actual": '"2026-01-01"',
        "Fix": "Send Til after Fra. Send Til efter Fra.",
        "Source": "psrm.md §1.3 (P)",
    }
    assert [pre.text() for pre in first.find_all("pre")] == [CURL]
    second = _facts(dom.by_id("failure-2"))
    assert (second["Expected"], second["Actual"]) == ("1200.5", "null")
    assert not dom.by_id("failure-2").find_all("pre")
    assert _facts(dom.by_id("failure-3"))["Actual"] == json.dumps(BREAKOUT)
    section = dom.by_id("failures")
    titles = [_squash(h.text()) for h in section.find_all("h3")]
    assert titles == [
        "FAILED BASIS-02 Period on the claim Periode på fordring",
        "FAILED BASIS-03 Daily job Dagligt job",
    ]
    replays = [pre.text() for pre in section.find_all("pre") if pre.text().startswith("testkommune certify")]
    assert replays == [
        "testkommune certify --suite basis --scenario BASIS-02 --seed 7 --fagsystem mypkg.fagsystem:MySystem",
        "testkommune certify --suite basis --scenario BASIS-03 --seed 7 --fagsystem mypkg.fagsystem:MySystem",
    ]


def test_a_scenario_that_raised_shows_its_error() -> None:
    run = _run()
    run.scenarios[2].outcome = "error"
    run.scenarios[2].error = "KeyError: 'debitor'"
    dom = _dom(render_html(run))
    errors = dom.by_id("failures").find_all("div", "error")
    assert [(e.find_all("p")[0].text(), e.find_all("pre")[0].text()) for e in errors] == [
        ("Error", "KeyError: 'debitor'")
    ]
    assert "1 passed, 1 failed, 1 error" in dom.find_all("header")[0].text()


def test_per_rule_view_counts_failures_and_shows_what_the_run_covered() -> None:
    dom = _dom(render_html(_run()))
    rules = dom.by_id("rules")
    failed, covered = rules.find_all("table")
    periode = (
        "The period ends before it begins (PSRM-PERIODE). Perioden slutter før den begynder (PSRM-PERIODE)."
    )
    assert [[row[0], *row[2:]] for row in _rows(failed)[1:]] == [
        ["PSRM-PERIODE", "2", "#1 BASIS-02, #3 BASIS-03"],
        ["PSRM-BELOEB", "1", "#2 BASIS-02"],
    ]
    assert _rows(failed)[1][1] == periode  # a code the catalogue does not hold: its failure's text
    links = [a.attrs["href"] for a in dom.by_id("rule-PSRM-PERIODE").find_all("a")]
    assert links == ["#failure-1", "#failure-3"]
    assert [[row[0], *row[2:]] for row in _rows(covered)[1:]] == [
        ["PSRM-PERIODE", "FAILED", "BASIS-02 (FAILED)", "2"],
        ["OIR-SVAR-TABT", "NOT SHOWN", "BASIS-03 (FAILED)", "—"],
        ["PSRM-SRB", "NOT SHOWN", "BASIS-01, BASIS-02 (FAILED)", "—"],
        ["ID-CPR-DATO", "PASSED", "BASIS-01", "—"],
    ]


def test_the_rule_tables_say_what_each_rule_means_in_both_languages() -> None:
    covered = _dom(render_html(_run())).by_id("rules").find_all("table")[1]
    texts = {row[0]: row[1] for row in _rows(covered)[1:]}
    assert texts["PSRM-SRB"] == (
        "The last timely payment date (…) has not passed (today: …). "
        "Sidste rettidige betalingsdato (…) er ikke overskredet (dags dato: …)."
    )


def test_the_run_facts_name_the_vendor_the_certificate_and_the_signing_key() -> None:
    signing = Signing("Acme Kommunedata A/S", "ed25519:" + "ab" * 32)
    facts = _dom(render_html(_run(), signing=signing)).by_id("run").text()
    assert "VendorAcme Kommunedata A/S" in facts  # <dt> and <dd> read back without a space
    assert "Certificatenot issued: not every scenario passed" in facts
    assert "Signing keyed25519:" + "ab" * 32 in facts
    passing = _run()
    passing.scenarios = passing.scenarios[:1]
    assert "Certificateissued" in _dom(render_html(passing, signing=signing)).by_id("run").text()


def test_per_scenario_view_has_a_table_and_the_steps_on_the_simulated_clock() -> None:
    dom = _dom(render_html(_run()))
    section = dom.by_id("scenarios")
    overview = section.find_all("table", "overview")[0]
    assert _rows(overview) == [
        ["Id", "Title", "Outcome", "Duration", "Steps", "Failures"],
        ["BASIS-01", "Monthly billing Månedlig opkrævning", "PASSED", "0.25 s", "1", "0"],
        ["BASIS-02", "Period on the claim Periode på fordring", "FAILED", "1.50 s", "3", "2"],
        ["BASIS-03", "Daily job Dagligt job", "FAILED", "0.75 s", "1", "1"],
    ]
    steps = dom.by_id("scenario-BASIS-02").find_all("table", "steps")[0]
    assert _rows(steps)[1:] == [
        ["1", "bill", "bill 1", "2026-09-20T09:00:00+02:00", "done"],
        ["2", "advance_to", "advance_to 2026-10-20", "2026-09-20T09:00:00+02:00", "done"],
        ["3", "expect", "psrm_accepted", "2026-10-20T09:00:00+02:00", "FAILED"],
    ]


def test_every_in_page_link_has_a_target_and_ids_are_unique() -> None:
    run = _run()
    run.scenarios[1].scenario_id = "BASIS 02/å"
    run.scenarios[2].scenario_id = "BASIS 02 å"
    dom = _dom(render_html(run))
    ids = [n.attrs["id"] for n in dom.walk() if "id" in n.attrs]
    assert len(ids) == len(set(ids))
    assert all(anchor and " " not in anchor for anchor in ids)
    targets = {a.attrs["href"] for a in dom.find_all("a") if (a.attrs.get("href") or "").startswith("#")}
    assert targets - {f"#{anchor}" for anchor in ids} == set()


# -- languages ----------------------------------------------------------------------------------------------


def test_danish_first_with_english_second() -> None:
    html = render_html(_run(), language="da")
    dom = _dom(html)
    assert html.startswith('<!DOCTYPE html>\n<html lang="da">')
    assert _squash(dom.find_all("h1", "verdict")[0].text()) == "✗ IKKE BESTÅET FAILED"
    assert [_squash(a.text()) for a in dom.find_all("nav")[0].find_all("a")][1:] == [
        "Fejl (3)",
        "Pr. regel",
        "Pr. scenarie (3)",
        "Om kørslen",
    ]
    first = dom.by_id("failure-1")
    assert _squash(first.find_all("p", "text")[0].text()) == (
        "Perioden slutter før den begynder (PSRM-PERIODE). The period ends before it begins (PSRM-PERIODE)."
    )
    assert _facts(first)["Ret"] == "Send Til efter Fra. Send Til after Fra."
    labels = [_squash(p.text()) for p in dom.by_id("failures").find_all("p", "label")]
    assert labels[:2] == ["Genskab", "Kør scenariet igen"]
    others = {n.attrs.get("lang") for n in dom.walk() if "other" in n.classes()}
    assert others == {"en"}


def test_english_first_with_danish_second() -> None:
    dom = _dom(render_html(_run(), language="en"))
    others = {n.attrs.get("lang") for n in dom.walk() if "other" in n.classes()}
    assert others == {"da"}


def test_a_text_given_in_one_language_only_is_shown_once() -> None:
    run = _run()
    run.scenarios[1].failures[0] = _failure("PSRM-PERIODE", text_da="", fix_da="Send Til after Fra.")
    failure = _dom(render_html(run, language="da")).by_id("failure-1")
    text = _squash(failure.find_all("p", "text")[0].text())
    assert text == "The period ends before it begins (PSRM-PERIODE)."
    assert _facts(failure)["Ret"] == "Send Til after Fra."


def test_an_unknown_language_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="language"):
        write_html(_run(), tmp_path / "report.html", language="sv")
    assert not (tmp_path / "report.html").exists()


# -- safe to open --------------------------------------------------------------------------------------------


def test_vendor_strings_are_escaped_never_markup() -> None:
    html = render_html(_run())
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript:' not in html.lower()
    assert JS_URL in html  # shown as text: the reader sees what the source said
    dom = _dom(html)
    assert "Amount rejected: " + SCRIPT in dom.by_id("failure-2").text()
    assert "Beløb afvist: " + BREAKOUT in dom.by_id("failure-2").text()
    assert SCRIPT in dom.by_id("failure-1").find_all("pre")[0].text()


def test_no_event_handlers_no_scripts_and_a_restrictive_csp() -> None:
    dom = _dom(render_html(_run()))
    elements = dom.walk()[1:]
    assert not [(n.tag, a) for n in elements for a in n.attrs if a.lower().startswith("on")]
    forbidden = {"script", "iframe", "object", "embed", "form", "base", "link", "img"}
    assert not [n for n in elements if n.tag in forbidden]
    head = dom.find_all("head")[0]
    metas = head.find_all("meta")
    (csp,) = [m for m in metas if (m.attrs.get("http-equiv") or "").lower() == "content-security-policy"]
    assert csp.attrs["content"] == CSP
    assert "default-src 'none'" in CSP and "script-src" not in CSP
    tags = [n.tag for n in head.children if isinstance(n, Node)]
    assert tags.index("meta") < tags.index("style"), "the policy is in force before anything else is read"
    assert metas[0].attrs == {"charset": "utf-8"} and metas[1] is csp


def test_nothing_is_loaded_from_anywhere() -> None:
    """No element fetches anything: every src-like attribute is `data:`, no <link>, the CSS has no url().

    Links (`href`) are either in-page anchors or a rule's public source as a plain https link, which a
    reader may click but the page never loads; an `http(s)://` anywhere else is text (the curl line, the
    test kommune's address), never an attribute.
    """
    html = render_html(_run())
    dom = _dom(html)
    loading = {"src", "srcset", "poster", "data", "action", "formaction", "background", "ping", "xlink:href"}
    for node in dom.walk():
        for name, value in node.attrs.items():
            if name in loading:
                assert (value or "").startswith("data:"), (node.tag, name, value)
            if name == "href":
                assert (value or "").startswith("#") or (node.tag == "a" and value == SOURCE_URL), value
                if not (value or "").startswith("#"):
                    assert node.attrs.get("rel") == "noopener noreferrer"
            if name not in ("href", "content"):
                assert "://" not in (value or ""), (node.tag, name, value)
    style = "".join(n.text() for n in dom.find_all("style"))
    assert "url(" not in style and "@import" not in style and "@font-face" not in style
    assert "<link" not in html


def test_a_javascript_source_url_is_text_not_a_link() -> None:
    dom = _dom(render_html(_run()))
    second = dom.by_id("failure-2")
    assert not [a for a in second.find_all("a") if not (a.attrs.get("href") or "").startswith("#")]
    assert _facts(second)["Source"] == f"psrm.md §4 {JS_URL}"
    first_links = [a.attrs["href"] for a in dom.by_id("failure-1").find_all("a")]
    assert SOURCE_URL in first_links


# -- checked as a person would: in a real browser -----------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium binary on PATH: install the Debian package `chromium` to run the browser checks")


def _browse(chromium: str, tmp_path: Path, page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        *args,
        page.resolve().as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
def test_the_page_renders_in_chromium(chromium: str, tmp_path: Path) -> None:
    page = write_html(_run(), tmp_path / "report.html")
    png = tmp_path / "report.png"
    result = _browse(chromium, tmp_path, page, f"--screenshot={png}", "--window-size=1280,2000")
    assert png.exists(), result.stderr
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 30_000, "a blank page compresses to almost nothing; a rendered report does not"


@pytest.mark.slow
def test_chromium_sees_the_failures_one_click_from_the_top(chromium: str, tmp_path: Path) -> None:
    page = write_html(_run(), tmp_path / "report.html")
    result = _browse(chromium, tmp_path, page, "--dump-dom")
    assert result.returncode == 0, result.stderr
    dom = _dom(result.stdout)
    first_link = dom.find_all("nav")[0].find_all("a")[1]
    assert first_link.attrs["href"] == "#failures"
    assert dom.by_id("failures").find_all("div", "failure")
    assert not dom.find_all("script") and not dom.find_all("img")


@pytest.mark.slow
def test_chromium_enforces_the_policy_even_if_markup_slipped_through(chromium: str, tmp_path: Path) -> None:
    """Defence in depth: were a script or a remote image ever to reach the page, the CSP stops both."""
    html = render_html(_run())
    probe = (
        '<img src="http://127.0.0.1:9/x.png"><script>document.body.setAttribute("data-ran", "yes")</script>'
    )
    page = tmp_path / "probe.html"
    page.write_text(html.replace("</main>", probe + "</main>", 1), encoding="utf-8")
    result = _browse(chromium, tmp_path, page, "--dump-dom")
    assert result.returncode == 0, result.stderr
    body = re.search(r"<body[^>]*>", result.stdout)
    assert body and "<main" in result.stdout
    assert "data-ran" not in body.group(0), "the injected script ran"


def test_a_troubled_scenario_says_how_to_reproduce_it_after_the_run() -> None:
    section = _dom(render_html(_run())).by_id("failures")
    after = [pre.text() for pre in section.find_all("pre", "replay-after")]
    assert after == [
        "testkommune replay basis-foraeldrebetaling.json BASIS-02",
        "testkommune replay basis-foraeldrebetaling.json BASIS-03",
    ]
