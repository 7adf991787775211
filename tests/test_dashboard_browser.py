"""The dashboard in a real browser: Debian's headless Chromium driven by Selenium through chromium-driver.

The dashboard is used with JavaScript switched off (it must work without it); only /docs (Swagger UI) runs
with JavaScript. Screenshots are kept in `test-artefacts/browser/` (TESTKOMMUNE_ARTEFACTS overrides); with
TESTKOMMUNE_UPDATE_SCREENSHOT=1 the dashboard's screenshot also replaces `docs/dashboard.png` (README).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from testkommune.harness.server import RunningKommune, start_in_thread

from tests.dashboard_setup import HANDED_OVER, KOMMUNE, REFUSED, claim_on_its_way, claim_refused

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager never downloads: we use chromium-driver
ARTEFACTS = Path(os.environ.get("TESTKOMMUNE_ARTEFACTS", ROOT / "test-artefacts")) / "browser"

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')"
)
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402


def _binaries() -> tuple[str, str]:
    browser = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        pytest.skip(
            "no headless Chromium for the browser tests: install Debian's `chromium` and `chromium-driver` "
            "(.ci/run does)"
        )
    return browser, driver


def _browser(javascript: bool) -> Any:
    binary, driver = _binaries()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(argument)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        started = webdriver.Chrome(service=webdriver.ChromeService(driver), options=options)
    except WebDriverException as exc:
        pytest.skip(f"headless Chromium would not start: {exc.msg}")
    started.implicitly_wait(10)  # an element is looked for until it appears (a page still loading)
    return started


@pytest.fixture(scope="module")
def kommune(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningKommune]:
    reports = tmp_path_factory.mktemp("reports")
    running = start_in_thread(":memory:")
    running.server.config.app.state.dashboard_reports = reports
    claim_on_its_way(running.base_url)
    claim_refused(running.base_url)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    driver = _browser(javascript=False)
    yield driver
    driver.quit()


def _shot(driver: Any, name: str) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def _csp_violations(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]


def _follow(driver: Any, element: Any) -> None:
    """Click a link or a form button and wait until the browser has left the page it was on.

    Without the wait, the next lookup can find an element of the old page and read it after it is gone.
    """
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 10).until(expected_conditions.staleness_of(page))


def _step(driver: Any, reference: str, step: str) -> str:
    row = driver.find_element(By.XPATH, f"//table[@class='roads']//tr[td/a[normalize-space()='{reference}']]")
    return row.find_element(By.CSS_SELECTOR, f"td[data-step='{step}']").text


def test_advancing_the_clock_shows_the_claim_handed_over_to_psrm(kommune, browser):
    browser.get(kommune.base_url + "/")
    _follow(browser, browser.find_element(By.LINK_TEXT, HANDED_OVER))
    assert browser.find_element(By.ID, "today").text == "2026-10-20"
    assert _step(browser, "F1", "psrm").startswith("venter")  # PSRM has it, MODTAGET, not yet taken
    assert "OVERDRAGET" in _step(browser, "F1", "debitor")
    _shot(browser, "1-tenant-before")

    _follow(browser, browser.find_element(By.CSS_SELECTOR, "#clock button[value='1']"))

    assert browser.find_element(By.ID, "today").text == "2026-10-21"
    assert _step(browser, "F1", "psrm").split("\n")[:2] == ["ok", "UDFOERT"]
    assert "UNDER_INDDRIVELSE" in _step(browser, "F1", "debitor")
    assert _step(browser, "F1", "back").startswith("ok")  # PSRM's news is in the fagsystem's mailbox
    shot = _shot(browser, "2-tenant-after-a-day")
    if os.environ.get("TESTKOMMUNE_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, ROOT / "docs" / "dashboard.png")
    assert _csp_violations(browser) == []


def test_a_refused_claim_shows_its_reason_and_how_to_fix_it_in_both_languages(kommune, browser):
    browser.get(f"{kommune.base_url}/tenants/{KOMMUNE}/{REFUSED}")
    assert "PSRM-SRB" in _step(browser, "F1", "psrm")
    _follow(browser, browser.find_element(By.LINK_TEXT, "F1"))
    refusal = browser.find_element(By.CSS_SELECTOR, "#step-psrm .refusal")
    assert "PSRM-SRB" in refusal.text
    assert "Sidste rettidige betalingsdato (2026-10-15) er ikke overskredet" in refusal.text
    assert "Overdrag først fordringen, når SRB er overskredet." in refusal.text
    _shot(browser, "3-refused-claim-da")

    _follow(browser, browser.find_element(By.LINK_TEXT, "English"))

    refusal = browser.find_element(By.CSS_SELECTOR, "#step-psrm .refusal")
    assert "The last timely payment date (2026-10-15) has not passed" in refusal.text
    assert "How to fix it: Only transfer the claim once the SRB has passed." in refusal.text
    _shot(browser, "4-refused-claim-en")
    _follow(browser, browser.find_element(By.LINK_TEXT, "Dansk"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "da"


def test_the_journal_shows_request_and_answer_with_cpr_numbers_masked(kommune, browser):
    browser.get(f"{kommune.base_url}/tenants/{KOMMUNE}/{REFUSED}/journal")
    entry = browser.find_element(By.XPATH, "//details[summary/code[text()='OpretDebitorkonto']]")
    entry.find_element(By.TAG_NAME, "summary").click()  # <details> opens without JavaScript
    assert "111111-XXXX" in entry.text and "1111111118" not in entry.text
    assert "Forretningskvittering" in entry.text
    _shot(browser, "5-journal")


def test_a_report_opens_from_the_reports_page(kommune, browser):
    reports = kommune.server.config.app.state.dashboard_reports
    subprocess.run(
        [sys.executable, "-m", "testkommune.harness", "certify", "--fagsystem", "reference", "--url",
         kommune.base_url, "--report-dir", str(reports)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    browser.get(kommune.base_url + "/")
    _follow(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "Rapporter"))
    row = browser.find_element(By.XPATH, "//table[@class='reports']//tr[td/a[text()='basis']]")
    assert "PASSED" in row.text and "foraeldrebetaling" in row.text
    _shot(browser, "6-reports")
    _follow(browser, row.find_element(By.LINK_TEXT, "basis"))
    assert "PASSED" in browser.find_element(By.TAG_NAME, "body").text
    _shot(browser, "7-report")


def test_the_api_docs_render_the_generated_document_without_any_outside_resource(kommune):
    driver = _browser(javascript=True)
    try:
        driver.get(kommune.base_url + "/docs")
        driver.implicitly_wait(15)
        driver.find_element(By.XPATH, "//*[contains(@class,'opblock-summary-path')]")
        paths = {e.text for e in driver.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
        assert "/admin/tenants/{kommune}/{system}/invarianter" in {p.replace("\u200b", "") for p in paths}
        assert driver.find_elements(By.CSS_SELECTOR, "button.authorize")  # Bearer is declared
        _shot(driver, "8-api-docs")
        assert _csp_violations(driver) == []
        loaded = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert loaded and all(url.startswith(kommune.base_url) for url in loaded), loaded
    finally:
        driver.quit()
