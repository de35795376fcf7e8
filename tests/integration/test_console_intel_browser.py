"""Importing intelligence in a real headless chromium: the Intelligence page's link, the
upload form (a real file chosen in a file input, sent as multipart with its CSRF token),
the result page listing what was stored and each refusal, and axe-core on both pages.

The server, browser, sign-in, screenshots and axe-core come from the console's browser
test (:mod:`tests.integration.test_console_browser`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.integration import test_console_browser as harness
from tests.unit.share.intel_world import indicator

pytestmark = pytest.mark.browser
site, browser = harness.site, harness.browser  # the harness's fixtures, for this module
_axe, _shot, _sign_in = harness._axe, harness._shot, harness._sign_in

GOOD_IP = "203.0.113.61"


def _bundle_file(folder: Path) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    good = indicator("alpha", value=GOOD_IP, name="Uploaded in the browser")
    bad = indicator("alpha", value="203.0.113.62", pattern="[ipv4-addr:value = ")
    bundle = {"type": "bundle", "id": "bundle--6d1f8c9e-1111-4111-8111-111111111111"}
    path = folder / "upload.json"
    path.write_bytes(orjson.dumps({**bundle, "objects": [good, bad]}))
    return path, good, bad


def test_import_a_bundle_from_the_intelligence_page(
    browser: Any, site: dict[str, Any], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    path, good, bad = _bundle_file(tmp_path)
    _sign_in(browser, site["base"], "alpha-lead@web.example")
    browser.get(f"{site['base']}/console/intel?kind=all")
    browser.find_element(By.ID, "import-link").click()
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.ID, "import-form"))
    _shot(browser, "alpha-lead-intel-import")
    violations = _axe(browser)
    assert not violations, [(v["id"], v["impact"], v["help"]) for v in violations]
    browser.find_element(By.ID, "import-file").send_keys(str(path))
    browser.find_element(By.ID, "import-submit").click()
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.ID, "import-result"))
    assert browser.find_element(By.ID, "import-stored").text == "1"
    assert browser.find_element(By.ID, "import-refused").text == "1"
    refusals = browser.find_element(By.CSS_SELECTOR, "table.refusals").text
    assert bad["id"] in refusals and good["id"] not in refusals
    _shot(browser, "alpha-lead-intel-import-result")
    violations = _axe(browser)
    assert not violations, [(v["id"], v["impact"], v["help"]) for v in violations]
    browser.get(f"{site['base']}/console/intel?kind=all&q={GOOD_IP}")
    assert "Uploaded in the browser" in browser.page_source


def test_another_member_neither_sees_nor_downloads_alphas_amber_indicator(
    browser: Any, site: dict[str, Any]
) -> None:
    from selenium.webdriver.common.by import By

    _sign_in(browser, site["base"], "bravo@web.example")
    browser.get(f"{site['base']}/console/intel?kind=all")
    link = browser.find_element(By.ID, "export-stix").get_attribute("href")
    assert "/console/intel/export?format=stix" in link
    cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
    download = httpx.get(link, cookies=cookies)
    assert download.status_code == 200
    assert site["indicator"] not in download.text
    assert orjson.loads(download.content)["type"] == "bundle"
