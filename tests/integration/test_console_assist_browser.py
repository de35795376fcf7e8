"""Approvals and requests for assistance in a real headless chromium (Selenium and Debian's
chromium-driver) against ``shieldwall up``.

A centre playbook waits for 2 of alpha, bravo and charlie: alpha's and bravo's leads each
approve it in the browser, and the run succeeds; delta's lead, named nowhere, sees no
approval and the run is "not found". Both pages are screenshotted
(``build/test-artifacts/console``) and checked with axe-core, as in
:mod:`tests.integration.test_console_browser`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration import test_console_browser as base
from tests.integration.test_console_live_browser import _arrive, _wait
from tests.unit.web.helping import PLAYBOOK, grow, start_run
from tests.unit.web.world import SECRET, build_console, sign_in

pytestmark = pytest.mark.browser
browser = base.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The coalition with charlie and delta, a run waiting for 2 of 3 members and alpha's
    AMBER request for help, served by ``shieldwall up``."""
    data = tmp_path_factory.mktemp("console-assist-site")
    console = build_console(data)
    grow(console)
    run_id = start_run(console)
    client = console.client()
    sign_in(client, "alpha-lead@web.example")
    page = client.get("/console/assistance").text
    csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    asked = client.post(
        "/console/assistance",
        data={
            "csrf": csrf,
            "title": f"{SECRET} ransomware on the mail relay",
            "urgency": "critical",
            "tlp": "amber",
            "need-forensics": "yes",
        },
    )
    assert asked.status_code == 200, asked.text
    request_id = str(asked.url).rsplit("/", 1)[1]
    console.services.close()
    port = base._free_port()
    env = {**os.environ, "SHIELDWALL_DATA_DIR": str(data), "SHIELDWALL_PORT": str(port)}
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
        yield {"base": url, "run": run_id, "request": request_id}
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _as(driver: Any, site: dict[str, Any], email: str) -> None:
    driver.delete_all_cookies()
    base._sign_in(driver, site["base"], email)


def _approve(driver: Any, site: dict[str, Any], email: str) -> None:
    from selenium.webdriver.common.by import By

    _as(driver, site, email)
    driver.get(f"{site['base']}/console/approvals")
    row = driver.find_element(By.CSS_SELECTOR, "#approval-list tbody tr")
    assert "2 of 3: alpha, bravo, charlie" in row.text
    assert PLAYBOOK in row.text  # the approval carries the name, though the playbook is hidden
    assert "person" not in row.text  # who started it at the centre stays the centre's
    row.find_element(By.CSS_SELECTOR, "form[action$='/approve'] button").click()
    _arrive(driver, f"/console/approvals/runs/{site['run']}")


@pytest.mark.parametrize("email", ["centre@web.example", "alpha-lead@web.example"])
def test_both_pages_are_screenshotted_and_have_no_serious_accessibility_violation(
    browser: Any, site: dict[str, Any], email: str
) -> None:
    who = email.split("@")[0]
    _as(browser, site, email)
    pages = {
        "approvals": "/console/approvals",
        "run": f"/console/approvals/runs/{site['run']}",
        "assistance": "/console/assistance",
        "assist-request": f"/console/assistance/{site['request']}",
    }
    for name, path in pages.items():
        browser.get(site["base"] + path)
        base._shot(browser, f"{who}-{name}")
        violations = base._axe(browser)
        assert not violations, (name, [(v["id"], v["impact"], v["help"]) for v in violations])


def test_two_leads_approve_in_the_browser_and_the_run_succeeds(
    browser: Any, site: dict[str, Any]
) -> None:
    from selenium.webdriver.common.by import By

    _as(browser, site, "delta-lead@web.example")  # named nowhere: nothing waits for delta
    browser.get(f"{site['base']}/console/approvals")
    assert "Nothing waits for a decision." in browser.page_source
    assert f"/console/approvals/runs/{site['run']}" not in browser.page_source
    browser.get(f"{site['base']}/console/approvals/runs/{site['run']}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Not found"

    _approve(browser, site, "alpha-lead@web.example")
    assert browser.find_element(By.ID, "run-status").text == "waiting"
    assert "alpha: yes" in browser.find_element(By.ID, "run-approvals").text
    base._shot(browser, "alpha-lead-run-waiting")
    _approve(browser, site, "bravo-lead@web.example")
    _wait(browser, "return document.getElementById('run-status').textContent === 'succeeded';")
    assert "approved" in browser.find_element(By.ID, "run-approvals").text
    assert "alpha: yes, bravo: yes" in browser.find_element(By.ID, "run-approvals").text
    base._shot(browser, "bravo-lead-run-succeeded")


def test_another_member_does_not_see_alphas_amber_request(
    browser: Any, site: dict[str, Any]
) -> None:
    from selenium.webdriver.common.by import By

    _as(browser, site, "bravo@web.example")
    browser.get(f"{site['base']}/console/assistance")
    assert SECRET not in browser.page_source
    browser.get(f"{site['base']}/console/assistance/{site['request']}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Not found"
