"""The console in a real headless chromium (Selenium and Debian's chromium-driver) against a
running ``shieldwall up`` over a seeded coalition.

Screenshots of every page go to ``build/test-artifacts/console/`` (or
``$SHIELDWALL_TEST_ARTIFACTS/console``); axe-core checks each page for accessibility:
version 4 from the npm registry, installed by the test set-up under ``build/axe`` (the page
itself fetches nothing), or version 3 shipped in the axe-selenium-python package.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import CHROMIUM_FLAGS, require
from tests.unit.web.world import PASSWORD, SECRET, build_console

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("SHIELDWALL_TEST_ARTIFACTS", ROOT / "build" / "test-artifacts"))
SERIOUS = {"serious", "critical"}
AXE_VERSION = "4.14.1"
AXE_DIR = ROOT / "build" / "axe"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The seeded coalition served by ``shieldwall up`` on a free loopback port."""
    data = tmp_path_factory.mktemp("console-site")
    console = build_console(data)
    seeded = {
        "incidents": console.incidents,
        "campaign": console.campaign_id,
        "indicator": console.indicator_id,
    }
    console.services.close()
    port = _free_port()
    env = {**os.environ, "SHIELDWALL_DATA_DIR": str(data), "SHIELDWALL_PORT": str(port)}
    log = (data / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "shieldwall.cli", "up"], env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # a guard against hanging (2 min on a busy machine), no budget
            try:
                httpx.get(f"{base}/healthz")
                break
            except httpx.TransportError:
                time.sleep(0.2)
        yield {"base": base, **seeded}
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """A headless chromium driven through Debian's chromedriver (fails in CI if absent)."""
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    require(chromium is not None, "chromium (Debian package 'chromium')")
    require(driver_path is not None, "chromedriver (Debian package 'chromium-driver')")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium)
    for flag in (*CHROMIUM_FLAGS, "--window-size=1400,1000", f"--user-data-dir={tmp_path}/p"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _until(driver: Any, condition: Callable[[Any], Any]) -> Any:
    """Wait up to 20 s for a condition on the page a click leads to.

    The element a condition reads may still be the old page's, which the navigation then
    replaces: that element is stale, not the condition false, so it is read again.
    """
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    ignored = (NoSuchElementException, StaleElementReferenceException)
    return WebDriverWait(driver, 20, ignored_exceptions=ignored).until(condition)


def _sign_in(driver: Any, base: str, email: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{base}/console")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(driver, 20).until(
        lambda d: d.current_url.rstrip("/").endswith("/console"), driver.current_url
    )


def _shot(driver: Any, name: str) -> Path:
    folder = ARTIFACTS / "console"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 1000
    return path


def _axe(driver: Any) -> list[dict[str, Any]]:
    """Serious or critical violations axe-core finds on the current page."""
    source = (
        resources.files("axe_selenium_python")
        .joinpath("node_modules", "axe-core", "axe.min.js")
        .read_text(encoding="utf-8")
    )
    driver.execute_script(source)
    result = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(done);"
    )
    assert driver.execute_script("return axe.version")  # axe-core ran on this page
    assert isinstance(result["violations"], list) and result["url"] == driver.current_url
    return [v for v in result["violations"] if v.get("impact") in SERIOUS]


def _pages(site: dict[str, Any]) -> dict[str, str]:
    return {
        "overview": "/console",
        "incidents": "/console/incidents",
        "incident": f"/console/incidents/{site['incidents']['alpha']}",
        "alerts": "/console/alerts",
        "campaigns": "/console/campaigns",
        "campaign": f"/console/campaigns/{site['campaign']}",
        "attack": "/console/attack?days=all",
        "intel": "/console/intel?kind=all",
        "members": "/console/members",
    }


def test_sign_in_see_the_overview_open_an_incident_and_change_its_status(
    browser: Any, site: dict[str, Any]
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    _sign_in(browser, site["base"], "alpha@web.example")
    assert "Open incidents" in browser.page_source and "Alerts per member" in browser.page_source
    assert browser.find_element(By.CSS_SELECTOR, "svg.chart")
    incident = site["incidents"]["alpha"]
    browser.find_element(By.CSS_SELECTOR, f'a[href="/console/incidents/{incident}"]').click()
    _until(  # each click navigates: wait for the page it leads to
        browser, lambda driver: driver.find_element(By.ID, "incident-status").text == "new"
    )
    Select(browser.find_element(By.ID, "new-status")).select_by_value("in_progress")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/status'] button").click()
    _until(
        browser, lambda driver: driver.find_element(By.ID, "incident-status").text == "in_progress"
    )
    assert "status" in browser.find_element(By.CSS_SELECTOR, ".history").text


def test_a_form_without_its_csrf_token_is_refused_in_the_browser(
    browser: Any, site: dict[str, Any]
) -> None:
    from selenium.webdriver.common.by import By

    _sign_in(browser, site["base"], "alpha-lead@web.example")
    incident = site["incidents"]["alpha"]
    browser.get(f"{site['base']}/console/incidents/{incident}")
    before = browser.find_element(By.ID, "incident-status").text
    browser.execute_script(
        "document.querySelector(\"form[action$='/comment'] input[name=csrf]\").remove();"
    )
    browser.find_element(By.ID, "text").send_keys("forged")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/comment'] button").click()
    _until(  # the click navigates: wait for the answer's page
        browser, lambda driver: driver.find_element(By.TAG_NAME, "h1").text == "Refused"
    )
    browser.get(f"{site['base']}/console/incidents/{incident}")
    assert "forged" not in browser.page_source
    assert browser.find_element(By.ID, "incident-status").text == before


def test_an_analyst_of_another_member_sees_none_of_alphas_restricted_details(
    browser: Any, site: dict[str, Any]
) -> None:
    from selenium.webdriver.common.by import By

    _sign_in(browser, site["base"], "bravo@web.example")
    for name, path in _pages(site).items():
        browser.get(site["base"] + path)
        assert SECRET not in browser.page_source, name
        assert site["indicator"] not in browser.page_source, name
        _shot(browser, f"bravo-{name}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Not allowed"  # members: leads only
    browser.get(f"{site['base']}/console/incidents/{site['incidents']['alpha']}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Not found"
    browser.get(f"{site['base']}/console/campaigns/{site['campaign']}")
    assert "1 other member(s)" in browser.page_source


@pytest.mark.parametrize("email", ["centre@web.example", "alpha-lead@web.example"])
def test_every_page_is_screenshotted_and_has_no_serious_accessibility_violation(
    browser: Any, site: dict[str, Any], email: str
) -> None:
    who = email.split("@")[0]
    _sign_in(browser, site["base"], email)
    for name, path in _pages(site).items():
        browser.get(site["base"] + path)
        _shot(browser, f"{who}-{name}")
        violations = _axe(browser)
        assert not violations, (name, [(v["id"], v["impact"], v["help"]) for v in violations])


def test_the_wall_display_mode_is_large_and_kept(browser: Any, site: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By

    _sign_in(browser, site["base"], "centre@web.example")
    normal = browser.execute_script("return getComputedStyle(document.documentElement).fontSize")
    browser.find_element(By.ID, "wall-toggle").click()
    browser.get(f"{site['base']}/console/attack?days=all")
    wall = browser.execute_script("return getComputedStyle(document.documentElement).fontSize")
    assert float(wall.rstrip("px")) >= 1.4 * float(normal.rstrip("px"))
    assert browser.find_element(By.ID, "wall-toggle").get_attribute("aria-pressed") == "true"
    _shot(browser, "centre-attack-wall")
    assert not _axe(browser)


def test_the_console_is_usable_with_the_keyboard(browser: Any, site: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _sign_in(browser, site["base"], "alpha@web.example")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.text == "Skip to content"
    focused.send_keys(Keys.ENTER)
    for _ in range(3):
        browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.tag_name in {"a", "button", "summary"}
    browser.get(f"{site['base']}/console/incidents")
    browser.find_element(By.TAG_NAME, "body").send_keys("/")
    assert browser.switch_to.active_element.get_attribute("id") == "q"
