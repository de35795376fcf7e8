"""The console's threat levels, live feed, cases, measures, SITREP and handover in a real
headless chromium (Selenium and Debian's chromium-driver) against ``shieldwall up``.

A new alert stored while the overview is open appears in its live feed without a reload
(server-sent events on the console session), and an analyst never receives another
member's alert there. Every new page is screenshotted (``build/test-artifacts/console``)
and checked with axe-core, as in :mod:`tests.integration.test_console_browser`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from shieldwall.config.settings import load_settings
from shieldwall.model.alert import Entities, NewAlert
from shieldwall.runtime.wiring import Services, open_services
from tests.integration import test_console_browser as base
from tests.unit.api.test_stream_sse import raise_alert
from tests.unit.web.test_respond_pages import _csrf, _seed_measures
from tests.unit.web.world import SECRET, build_console, sign_in

pytestmark = pytest.mark.browser
MARKUP = '<img id="pwned" src="/x">'
browser = base.browser
WAIT = 15


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The seeded coalition, with levels, a case and measures, served by ``shieldwall up``."""
    data = tmp_path_factory.mktemp("console-live-site")
    console = build_console(data)
    console.services.posture.recompute()
    client = console.client()
    sign_in(client, "alpha-lead@web.example")
    incident = console.incidents["alpha"]
    page = client.get(f"/console/incidents/{incident}").text
    opened = client.post(f"/console/incidents/{incident}/case", data={"csrf": _csrf(page)})
    assert opened.status_code == 200, opened.text
    _seed_measures(console)
    seeded = {"incidents": console.incidents, "case": str(opened.url).rsplit("/", 1)[1]}
    console.services.close()
    port = base._free_port()
    env = {
        **os.environ,
        "SHIELDWALL_DATA_DIR": str(data),
        "SHIELDWALL_PORT": str(port),
        "SHIELDWALL_STREAM_POLL_SECONDS": "0.2",
    }
    log = (data / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "shieldwall.cli", "up"], env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # a guard against hanging (2 min on a busy machine), no budget
            try:
                httpx.get(f"{url}/healthz")
                break
            except httpx.TransportError:
                time.sleep(0.2)
        yield {"base": url, "data": data, **seeded}
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _store_alert(services: Services, member: str, title: str) -> None:
    """An alert whose title is markup, stored as a detect worker would store it."""
    new = NewAlert(
        key=f"{member}:markup:web",
        org_id=member,
        rule_id="r-markup",
        rule_title=title,
        level="low",
        tags=(),
        event_time=None,
        source="s",
        matched={},
        event={},
        entities=Entities(),
    )
    with services.store.transaction() as tx:
        tx.alerts.add([new])


def _pages(site: dict[str, Any]) -> dict[str, str]:
    return {
        "overview-live": "/console",
        "cases": "/console/cases",
        "case": f"/console/cases/{site['case']}",
        "measures": "/console/measures",
        "sitrep": "/console/sitrep",
        "handover": "/console/handover",
    }


def _wait(driver: Any, script: str) -> Any:
    """Poll a script until it returns something truthy (or fail after ``WAIT`` seconds)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = driver.execute_script(script)
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for: {script}")


def _arrive(driver: Any, path: str) -> None:
    """Wait until the browser has loaded ``path`` (a click navigates asynchronously)."""
    _wait(driver, f"return location.pathname === {path!r} && document.readyState === 'complete';")


def test_a_new_alert_appears_in_the_live_feed_without_reload_and_only_to_its_member(
    browser: Any, site: dict[str, Any]
) -> None:
    base._sign_in(browser, site["base"], "alpha@web.example")
    assert "Threat level" in browser.page_source
    browser.execute_script("window.__loadedOnce = 'yes';")  # gone if the page reloads
    _wait(browser, "return document.getElementById('live-state').dataset.state === 'open';")
    services = open_services(load_settings({"SHIELDWALL_DATA_DIR": str(site["data"])}))
    try:
        world: Any = SimpleNamespace(services=services)  # raise_alert reads .services only
        raise_alert(world, "bravo", 951)  # bravo's first: had it been sent, it came first
        raise_alert(world, "alpha", 952)
        _store_alert(services, "alpha", MARKUP)
    finally:
        services.close()
    text = _wait(
        browser,
        "var f = document.getElementById('live-feed');"
        "return f.textContent.indexOf('Thing 952') >= 0 && f.textContent;",
    )
    assert "alpha" in text and "Thing 951" not in text
    _wait(
        browser,
        f"return document.getElementById('live-feed').textContent.indexOf({MARKUP!r}) >= 0;",
    )
    assert not browser.execute_script("return document.getElementById('pwned');")  # text only
    assert browser.execute_script("return window.__loadedOnce;") == "yes"
    kinds = browser.execute_script(
        "return Array.from(document.querySelectorAll('#live-feed li[data-kind]'))"
        ".map(function (li) { return li.dataset.kind; });"
    )
    assert "alert" in kinds
    base._shot(browser, "alpha-overview-live-feed")
    assert not base._axe(browser)


def test_an_analyst_of_another_member_sees_none_of_alphas_case_or_measures(
    browser: Any, site: dict[str, Any]
) -> None:
    from selenium.webdriver.common.by import By

    base._sign_in(browser, site["base"], "bravo@web.example")
    for name, path in _pages(site).items():
        browser.get(site["base"] + path)
        assert SECRET not in browser.page_source, name
        assert "198.51.100.0/24" not in browser.page_source, name
        base._shot(browser, f"bravo-{name}")
    browser.get(f"{site['base']}/console/cases/{site['case']}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Not found"
    browser.get(f"{site['base']}/console")
    assert not browser.find_elements(By.CSS_SELECTOR, '[data-scope="member:alpha"]')


@pytest.mark.parametrize("email", ["centre@web.example", "alpha-lead@web.example"])
def test_every_new_page_is_screenshotted_and_has_no_serious_accessibility_violation(
    browser: Any, site: dict[str, Any], email: str
) -> None:
    who = email.split("@")[0]
    base._sign_in(browser, site["base"], email)
    for name, path in _pages(site).items():
        browser.get(site["base"] + path)
        base._shot(browser, f"{who}-{name}")
        violations = base._axe(browser)
        assert not violations, (name, [(v["id"], v["impact"], v["help"]) for v in violations])


def test_open_as_case_and_change_its_status_in_the_browser(
    browser: Any, site: dict[str, Any]
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base._sign_in(browser, site["base"], "alpha-lead@web.example")
    browser.get(f"{site['base']}/console/incidents/{site['incidents']['alpha']}")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/case'] button").click()
    _arrive(browser, f"/console/cases/{site['case']}")  # the incident's one case
    Select(browser.find_element(By.ID, "case-new-status")).select_by_value("triaged")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/status'] button").click()
    _wait(
        browser,
        "var s = document.getElementById('case-status');"
        "return s !== null && s.textContent === 'triaged';",
    )
    browser.find_element(By.ID, "item-text").send_keys("Isolate the host")
    Select(browser.find_element(By.ID, "item-kind")).select_by_value("task")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/items'] button").click()
    _wait(
        browser,
        "var t = document.getElementById('case-tasks');"
        "return t !== null && t.textContent.indexOf('Isolate the host') >= 0;",
    )
    assert "status" in browser.find_element(By.ID, "case-timeline").text
    browser.get(f"{site['base']}/console/sitrep")
    browser.find_element(By.ID, "sitrep-today").click()
    _arrive(browser, "/console/sitrep/report")
    assert "alpha" in browser.page_source
    base._shot(browser, "alpha-lead-sitrep-report")
    violations = base._axe(browser)
    assert not violations, [(v["id"], v["impact"], v["help"]) for v in violations]
