"""The dashboard over real HTTP: who sees which tenants, strict CSP and no outside resources, CPR numbers
masked in the journal, forms only from the dashboard itself, Danish and English, docs pages as HTML."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from testkommune.harness.dashboard import docpages
from testkommune.harness.docs.catalogues import pages as generated_pages
from testkommune.harness.server import RunningKommune, start_in_thread
from testkommune.simulators.access import AccessPolicy, Serviceaftale, digest

from tests.dashboard_setup import FULL_CPR, KOMMUNE, REFUSED, claim_refused, post
from tests.messages import fordring, opret

ROOT = Path(__file__).resolve().parents[1]
ADMIN = "admin-token-0123456789"
VENDOR_A = "vendor-a-token-0123456789"
VENDOR_B = "vendor-b-token-0123456789"


class _Resources(HTMLParser):
    """Every URL a page loads (not the links it offers)."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []
        self.scripts = 0
        self.inline_styles = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if "style" in found or tag == "style":
            self.inline_styles += 1
        if tag in ("img", "script", "iframe") and found.get("src"):
            self.loaded.append(found["src"] or "")
        if tag == "link" and found.get("rel") in ("stylesheet", "icon"):
            self.loaded.append(found.get("href") or "")


@pytest.fixture(scope="module")
def open_kommune() -> Iterator[RunningKommune]:
    running = start_in_thread(":memory:")
    claim_refused(running.base_url)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def closed_kommune() -> Iterator[RunningKommune]:
    policy = AccessPolicy(
        open=False,
        admin_digests=(digest(ADMIN),),
        aftaler={
            digest(VENDOR_A): Serviceaftale("leverandoer-a", frozenset({KOMMUNE}), None),
            digest(VENDOR_B): Serviceaftale("leverandoer-b", frozenset({KOMMUNE}), None),
        },
    )
    running = start_in_thread(":memory:", access=policy)
    claim_refused(running.base_url, "leverandoer-a", admin_token=ADMIN, token=VENDOR_A)
    claim_refused(running.base_url, "leverandoer-b", admin_token=ADMIN, token=VENDOR_B)
    yield running
    running.stop()


def _get(kommune: RunningKommune, path: str, token: str | None = None, **kwargs: object) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(kommune.base_url + path, headers=headers, timeout=30, **kwargs)  # type: ignore[arg-type]


PAGES = (
    "/",
    f"/tenants/{KOMMUNE}/{REFUSED}",
    f"/tenants/{KOMMUNE}/{REFUSED}/claims/F1",
    f"/tenants/{KOMMUNE}/{REFUSED}/journal",
    "/reports",
    "/pages",
    "/pages/fejlkoder",
)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_strict_csp_no_script_and_loads_only_from_its_own_site(open_kommune, path):
    response = _get(open_kommune, path)
    assert response.status_code == 200, response.text[:300]
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    page = _Resources()
    page.feed(response.text)
    assert page.scripts == 0 and page.inline_styles == 0
    assert page.loaded and all(url.startswith("/") and not url.startswith("//") for url in page.loaded)


def test_the_api_docs_load_swagger_ui_from_the_test_kommune_itself(open_kommune):
    response = _get(open_kommune, "/docs")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp and "unsafe-eval" not in csp
    page = _Resources()
    page.feed(response.text)
    assert len(page.loaded) >= 4 and all(url.startswith("/docs/assets/") for url in page.loaded)
    for url in page.loaded:
        assert _get(open_kommune, url).status_code == 200, url
    assert "SwaggerUIBundle" in _get(open_kommune, "/docs/assets/testkommune-init.js").text
    assert _get(open_kommune, "/docs/assets/..%2F..%2F__init__.py").status_code == 404


def test_the_journal_masks_every_cpr_number(open_kommune):
    page = _get(open_kommune, f"/tenants/{KOMMUNE}/{REFUSED}/journal").text
    assert "OpretDebitorkonto" in page and f"{FULL_CPR[:6]}-XXXX" in page
    assert FULL_CPR not in page
    raw = _get(open_kommune, f"/admin/tenants/{KOMMUNE}/{REFUSED}/journal").text
    assert FULL_CPR in raw  # the admin API keeps the message as received: the page is what masks


def test_a_refused_claim_shows_code_text_fix_and_source(open_kommune):
    page = _get(open_kommune, f"/tenants/{KOMMUNE}/{REFUSED}/claims/F1").text
    assert "PSRM-SRB" in page and "Overdrag først fordringen, når SRB er overskredet." in page
    assert "psrm.md" in page
    english = _get(open_kommune, f"/tenants/{KOMMUNE}/{REFUSED}/claims/F1", params={"lang": "en"}).text
    assert 'lang="en"' in english and "Only transfer the claim once the SRB has passed." in english


def test_a_form_posted_from_another_site_is_refused(open_kommune):
    url = f"{open_kommune.base_url}/tenants/{KOMMUNE}/{REFUSED}/clock"
    before = _get(open_kommune, f"/admin/tenants/{KOMMUNE}/{REFUSED}/clock").json()["today"]
    foreign = requests.post(url, data={"days": "7"}, headers={"Origin": "https://evil.example"}, timeout=30)
    assert foreign.status_code == 403
    assert _get(open_kommune, f"/admin/tenants/{KOMMUNE}/{REFUSED}/clock").json()["today"] == before
    own = requests.post(url, data={"days": "1"}, headers={"Origin": open_kommune.base_url}, timeout=30)
    assert own.status_code == 200 and own.url.endswith(f"/tenants/{KOMMUNE}/{REFUSED}")
    assert _get(open_kommune, f"/admin/tenants/{KOMMUNE}/{REFUSED}/clock").json()["today"] != before


def test_a_bad_clock_value_is_shown_as_the_problem_not_a_crash(open_kommune):
    url = f"{open_kommune.base_url}/tenants/{KOMMUNE}/{REFUSED}/clock"
    response = requests.post(url, data={"advance_to": "not-a-date"}, timeout=30)
    assert response.status_code == 400 and "SCHEMA-" in response.text


def test_a_closed_kommune_asks_who_you_are_first(closed_kommune):
    anonymous = _get(closed_kommune, "/", allow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login"
    assert _get(closed_kommune, f"/tenants/{KOMMUNE}/leverandoer-a").url.endswith(
        f"/login?next=/tenants/{KOMMUNE}/leverandoer-a"
    )
    wrong = requests.post(
        closed_kommune.base_url + "/login", data={"token": "not-a-token-at-all"}, timeout=30
    )
    assert wrong.status_code == 401


def test_a_vendor_token_sees_only_its_own_tenants(closed_kommune):
    own = _get(closed_kommune, "/", VENDOR_A).text
    assert "leverandoer-a" in own and "leverandoer-b" not in own
    assert _get(closed_kommune, f"/tenants/{KOMMUNE}/leverandoer-a", VENDOR_A).status_code == 200
    other = _get(closed_kommune, f"/tenants/{KOMMUNE}/leverandoer-b", VENDOR_A)
    assert other.status_code == 404 and "PSRM-SRB" not in other.text
    assert _get(closed_kommune, f"/tenants/{KOMMUNE}/leverandoer-b/journal", VENDOR_A).status_code == 404
    assert _get(closed_kommune, "/reports", VENDOR_A).status_code == 403
    everything = _get(closed_kommune, "/", ADMIN).text
    assert "leverandoer-a" in everything and "leverandoer-b" in everything


def test_signing_in_keeps_the_token_in_a_strict_httponly_cookie(closed_kommune):
    session = requests.Session()
    signed_in = session.post(
        closed_kommune.base_url + "/login",
        data={"token": VENDOR_B, "next": f"/tenants/{KOMMUNE}/leverandoer-b"},
        allow_redirects=False,
        timeout=30,
    )
    cookie = signed_in.headers["set-cookie"]
    assert signed_in.status_code == 303 and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert signed_in.headers["location"] == f"/tenants/{KOMMUNE}/leverandoer-b"
    page = session.get(closed_kommune.base_url + signed_in.headers["location"], timeout=30)
    assert page.status_code == 200 and "PSRM-SRB" in page.text
    assert (
        session.get(closed_kommune.base_url + f"/tenants/{KOMMUNE}/leverandoer-a", timeout=30).status_code
        == 404
    )
    session.post(closed_kommune.base_url + "/logout", timeout=30)
    assert session.get(closed_kommune.base_url + "/", timeout=30).url.endswith("/login")


def test_a_redirect_after_sign_in_never_leaves_the_site(closed_kommune):
    response = requests.post(
        closed_kommune.base_url + "/login",
        data={"token": ADMIN, "next": "//evil.example/x"},
        allow_redirects=False,
        timeout=30,
    )
    assert response.headers["location"] == "/"


def test_the_catalogue_renders_as_html_and_its_citations_link_to_the_sources(open_kommune):
    page = _get(open_kommune, "/pages/fejlkoder").text
    assert "<table>" in page and "PSRM-SRB" in page
    targets = set(re.findall(r'<a href="(/pages/sources/[a-z]+(?:#s[0-9-]+)?)">', page))
    assert any(t.startswith("/pages/sources/psrm#") for t in targets), targets
    for target in sorted(targets):
        path, _, anchor = target.partition("#")
        source = _get(open_kommune, path)
        assert source.status_code == 200, target
        if anchor:
            assert f'id="{anchor}"' in source.text, target


def test_every_citation_of_a_source_resolves_to_a_section_of_its_summary():
    """Every `psrm.md §5.3`-style citation in the catalogue and the contracts has its page and section."""
    citation = re.compile(r"\b(psrm|oeir|filterregler|soap)\.md((?:,? ?§ ?[0-9]+(?:\.[0-9]+)*)*)")
    cited = "\n".join(generated_pages().values())
    cited += "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "contracts").rglob("*.json"))
    missing, seen = set(), 0
    for match in citation.finditer(cited):
        page = docpages.render_page(f"sources/{match.group(1)}")
        assert page is not None, match.group(0)
        for section in re.findall(r"§ ?([0-9]+(?:\.[0-9]+)*)", match.group(2) or ""):
            seen += 1
            if f'id="s{section.replace(".", "-")}"' not in page.html:
                missing.add((match.group(1), section))
    assert missing == set() and seen > 100


def test_reports_show_verdicts_evidence_checks_and_load_decisions(open_kommune, tmp_path):
    subprocess.run(
        [sys.executable, "-m", "testkommune.harness", "certify", "--fagsystem", "reference", "--url",
         open_kommune.base_url, "--report-dir", str(tmp_path)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (tmp_path / "load-maanedskoersel-reference.json").write_text(
        json.dumps({"decision": "NO-GO", "run_status": "VALID", "breached": ["p95_ms"]}), encoding="utf-8"
    )
    app = open_kommune.server.config.app
    app.state.dashboard_reports = tmp_path
    page = _get(open_kommune, "/reports").text
    assert "PASSED" in page and "ok · PASSED" in page
    assert "NO-GO" in page and "p95_ms" in page
    result = next(tmp_path.glob("*.bevis/run.json"))
    result.write_bytes(result.read_bytes().replace(b"PASSED", b"FAILED", 1))  # one changed word in the bundle
    tampered = _get(open_kommune, "/reports").text
    assert "ok · PASSED" not in tampered and "run.json" in tampered
    report = _get(open_kommune, "/reports/basis-foraeldrebetaling.html")
    assert report.status_code == 200 and "sandbox" in report.headers["content-security-policy"]
    assert _get(open_kommune, "/reports/..%2F..%2Fetc%2Fpasswd").status_code == 404


def test_a_message_refused_on_its_way_in_is_listed_with_its_reasons(open_kommune):
    broken = opret(fordring("F9", PeriodeFraDato="2026-11-01"), account="K9", cpr=FULL_CPR)
    post(open_kommune.base_url, REFUSED, "OpretDebitorkonto", broken)
    requests.post(
        f"{open_kommune.base_url}/service/OIR/DebitorRegistreringAfsend/1/OpretDebitorkonto",
        json={"Hovedoplysninger": {}},
        headers={"X-TK-Kommune": KOMMUNE, "X-TK-Anvendersystem": REFUSED},
        timeout=30,
    )
    page = _get(open_kommune, f"/tenants/{KOMMUNE}/{REFUSED}").text
    section = page[page.index('id="refused"') :]
    assert "PSRM-569" in section and "Send en periode fra, der ligger før eller på periode til." in section
    assert "SCHEMA-REQUIRED" in section
    assert FULL_CPR not in section
