"""The research view in a real browser: Debian's chromium, headless, driven by Selenium.

`make test` installs the Debian packages chromium and chromium-driver when missing; where
they cannot be installed this test is skipped and says so.
"""

from __future__ import annotations

import shutil

import pytest
from ledger_base import Browse, build_base
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="Debian's chromium/chromium-driver are not installed and `make test` could not "
        "install them (apt-get needs root and the Debian archive)",
    ),
]


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def test_promises_by_province_in_chromium(tmp_path, nlp, browser):
    db = build_base(tmp_path / "sentinella.db", nlp)
    with Browse(db) as server:
        browser.get(server.url + "/")
        browser.find_element(By.PARTIAL_LINK_TEXT, "Promises by province").click()
        form = browser.find_element(By.NAME, "province")
        form.clear()
        form.send_keys("Asti")
        form.submit()
        rows = browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
        assert len(rows) == 1
        cells = {
            td.get_attribute("class").split()[0].removeprefix("col-"): td.text
            for td in rows[0].find_elements(By.TAG_NAME, "td")
        }
        assert cells["actor"] == "Regione Piemonte"
        assert cells["amount"] == "€ 4.200.000"
        assert cells["total_eur"] == "€ 4.200.000"
        assert cells["statements"] == "4"
        browser.save_screenshot(str(tmp_path / "promises-by-province.png"))

        rows[0].find_element(By.CSS_SELECTOR, "a.document").click()
        assert "/sentinella/documents/" in browser.current_url
        assert "Case popolari, 3,7 milioni" in browser.page_source
        browser.back()
        browser.find_element(By.CSS_SELECTOR, "a.promise").click()
        assert "/sentinella/pledges/p-" in browser.current_url
        assert "pledge_statements" in browser.page_source  # the promise links to its statements
    assert (tmp_path / "promises-by-province.png").stat().st_size > 10_000
