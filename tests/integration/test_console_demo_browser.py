"""The console in a real headless chromium over the demo's own data (issue 12).

Once for the module, ``shieldwall demo`` runs its scenario into a temporary data directory
and serves the console over it, with its background telemetry streaming, exactly as a
person runs it: the same command, not a server of the test's own. In chromium (Selenium
and Debian's chromium-driver; with ``CI=true`` a missing one fails): the duty officer signs
in, sees the demo's campaign on the overview, opens its graph and an incident, approves the
run the demo left waiting, and watches a live alert arrive without a reload; analysts of
other members see none of the first member's restricted details. Every page is
screenshotted (``build/test-artifacts/console/demo-*.png``) and checked with axe-core.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from shieldwall.demo import COALITION, DEMO_PASSWORD
from shieldwall.demo.campaign import C2_ADDRESS, STAGER_ADDRESS
from shieldwall.demo.intel import RED_TIP
from shieldwall.demo.network import zeek_conn
from tests.integration import test_console_browser as base
from tests.integration.test_console_live_browser import _arrive, _wait

pytestmark = pytest.mark.browser
browser = base.browser
DUTY = "duty@ccdc.example"
FIRST = "cert-nordia"
"""The first member the campaign hits: its hosts, users and stages are its own."""
LIVE_MEMBER = "acme-defence"
"""Never hit in the demo: its first alert can only be the one the test sends."""


def _say(data: Path, pattern: str) -> int:
    """A number the demo printed (its output names what it made)."""
    found = re.search(pattern, (data / "demo.log").read_text(encoding="utf-8"))
    assert found, (pattern, (data / "demo.log").read_text(encoding="utf-8"))
    return int(found.group(1))


def _api(base_url: str, email: str) -> httpx.Client:
    login = {"email": email, "password": DEMO_PASSWORD}
    secret = httpx.post(f"{base_url}/api/v1/login", json=login).json()["secret"]
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {secret}"})


def _sensor_token(base_url: str, org_id: str) -> str:
    """A token for the member's sensor, issued by its lead through the API."""
    domain = next(m.domain for m in COALITION if m.org_id == org_id)
    with _api(base_url, f"lead@{domain}") as lead:
        people = lead.get(f"/api/v1/organisations/{org_id}/people").json()
        sensor = next(p["id"] for p in people if p["role"] == "sensor")
        issued = lead.post("/api/v1/tokens", json={"person_id": sensor, "name": "browser test"})
    assert issued.status_code == 201, issued.text
    return str(issued.json()["secret"])


def _start(data: Path, port: int, log: Any) -> subprocess.Popen[bytes]:
    env = {**os.environ, "COLUMNS": "250", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "shieldwall.cli", "demo", "--port", str(port)]
    command += ["--data-dir", str(data / "demo")]
    return subprocess.Popen(command, env=env, stdout=log, stderr=log)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``shieldwall demo`` on a free port: the scenario, then the console and telemetry."""
    data = tmp_path_factory.mktemp("console-demo")
    port = base._free_port()
    url = f"http://127.0.0.1:{port}"
    with (data / "demo.log").open("wb") as log:
        process = _start(data, port, log)
        try:
            deadline = time.monotonic() + 240
            while True:
                try:
                    if httpx.get(f"{url}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError((data / "demo.log").read_text()) from None
                    time.sleep(0.5)
            yield {
                "base": url,
                "campaign": _say(data, r"✓ campaign +campaign (\d+) links"),
                "waiting": _say(data, r"✓ approval waiting .*run (\d+), the block.*for you at "),
                "sensor": _sensor_token(url, LIVE_MEMBER),
            }
        finally:
            process.terminate()
            process.wait(timeout=30)


def _sign_in(driver: Any, base_url: str, email: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base_url}/console")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    _arrive(driver, "/console")


def _checked(driver: Any, name: str) -> None:
    """Screenshot the page and find no serious accessibility violation on it."""
    base._shot(driver, f"demo-{name}")
    violations = base._axe(driver)
    assert not violations, (name, [(v["id"], v["impact"], v["help"]) for v in violations])


def _text(driver: Any) -> str:
    return str(driver.execute_script("return document.body.innerText;"))


def test_the_duty_officer_sees_the_campaign_opens_its_graph_and_an_incident(
    browser: Any, demo: dict[str, Any]
) -> None:
    from selenium.webdriver.common.by import By

    _sign_in(browser, demo["base"], DUTY)
    campaign = demo["campaign"]
    link = browser.find_element(By.CSS_SELECTOR, f'a[href="/console/campaigns/{campaign}"]')
    assert "Open incidents" in _text(browser) and FIRST in _text(browser)
    assert _restricted(_text(browser)), "the centre sees the members' hosts (the check bites)"
    _checked(browser, "duty-overview")
    link.click()
    _arrive(browser, f"/console/campaigns/{campaign}")
    graph = browser.find_element(By.CSS_SELECTOR, "figure.graph-wrap svg.graph").text
    for member in (FIRST, "gridco", "cert-westmark", "milcsirt"):  # the campaign's members
        assert member in graph
    _checked(browser, "duty-campaign")
    first = browser.find_element(By.XPATH, f"//li[strong='{FIRST}']/a[1]")
    incident = first.get_attribute("href").rsplit("/", 1)[1]
    first.click()
    _arrive(browser, f"/console/incidents/{incident}")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith(f"Incident {incident}: ")
    assert browser.find_element(By.ID, "incident-status").text == "new"
    assert FIRST in _text(browser)
    _checked(browser, "duty-incident")


def test_the_duty_officer_approves_the_run_the_demo_left_waiting(
    browser: Any, demo: dict[str, Any]
) -> None:
    from selenium.webdriver.common.by import By

    _sign_in(browser, demo["base"], DUTY)
    browser.get(f"{demo['base']}/console/approvals")
    run = demo["waiting"]
    row = browser.find_element(By.XPATH, f"//tr[td/a[@href='/console/approvals/runs/{run}']]")
    assert "stager" in row.text and "a lead of the centre" in row.text
    _checked(browser, "duty-approvals")
    row.find_element(By.CSS_SELECTOR, "button[id^=approve-]").click()
    _arrive(browser, f"/console/approvals/runs/{run}")
    assert browser.find_element(By.ID, "run-status").text == "succeeded"
    assert "approved" in browser.find_element(By.ID, "run-approvals").text
    _checked(browser, "duty-run")
    lists = httpx.get(  # the approved block reaches a member's controls at their next pull
        f"{demo['base']}/api/v1/measures/lists/default/plain",
        headers={"Authorization": f"Bearer {demo['sensor']}"},
    )
    assert lists.status_code == 200 and STAGER_ADDRESS in lists.text


def test_a_live_alert_arrives_on_the_overview_without_reload(
    browser: Any, demo: dict[str, Any]
) -> None:
    _sign_in(browser, demo["base"], DUTY)
    browser.execute_script("window.__loadedOnce = 'yes';")  # gone if the page reloads
    _wait(browser, "return document.getElementById('live-state').dataset.state === 'open';")
    member = next(m for m in COALITION if m.org_id == LIVE_MEMBER)
    beacon = zeek_conn(datetime.now(UTC), member.address(42), C2_ADDRESS, 443, 1211, 4386, 0.8)
    sent = httpx.post(
        f"{demo['base']}/api/v1/ingest",
        content=orjson.dumps(beacon) + b"\n",
        headers={"Authorization": f"Bearer {demo['sensor']}"},
    )
    assert sent.status_code == 200 and sent.json()["accepted"] == 1, sent.text
    text = _wait(
        browser,
        "var f = document.getElementById('live-feed');"
        f"return f.textContent.indexOf(' · {LIVE_MEMBER} · ') >= 0 && f.textContent;",
    )
    assert f"Indicator match: {C2_ADDRESS}" in text
    assert browser.execute_script("return window.__loadedOnce;") == "yes"
    _checked(browser, "duty-overview-live")


def test_the_tlp_red_tip_reaches_the_duty_officer_alone(browser: Any, demo: dict[str, Any]) -> None:
    """TLP:RED names people: the centre's own analyst does not receive the duty officer's."""
    from selenium.webdriver.common.by import By

    _sign_in(browser, demo["base"], DUTY)
    browser.get(f"{demo['base']}/console/intel?kind=all")
    row = browser.find_element(By.XPATH, f"//tr[contains(., '{RED_TIP}')]")
    assert "TLP:RED" in row.text
    _checked(browser, "duty-intel")
    browser.delete_all_cookies()
    _sign_in(browser, demo["base"], "analyst@ccdc.example")
    browser.get(f"{demo['base']}/console/intel?kind=all")
    assert "C2 domain" in _text(browser)  # the AMBER indicators the centre was sent
    assert RED_TIP not in browser.page_source
    rows = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "table tbody tr")]
    assert rows and not any("TLP:RED" in row for row in rows)  # (the filter still offers it)
    _checked(browser, "centre-analyst-intel")


def _restricted(page: str) -> list[str]:
    """What of the first member (and the other members hit) the page shows."""
    patterns = (
        r"cert\.nordia\.example|gridco\.example|csirt\.jf\.example",  # host names, people
        r"\b10\.(10|50|40)\.\d+\.\d+\b",  # their hosts' addresses
        r"CERT\\analyst|GRIDCO\\|svc_backup",  # user names
        r"LSASS Memory Dumped|PsExec Service Installed|Q3_invoice_4471",  # their stages
    )
    return [hit.group(0) for p in patterns for hit in re.finditer(p, page, re.IGNORECASE)]


@pytest.mark.parametrize("email", ["analyst@cert.westmark.example", "analyst@cert.ostland.example"])
def test_an_analyst_of_another_member_sees_none_of_the_first_members_details(
    browser: Any, demo: dict[str, Any], email: str
) -> None:
    from selenium.webdriver.common.by import By

    with _api(demo["base"], "analyst@csirt.jf.example") as milcsirt:  # AMBER+STRICT, not theirs
        objects = milcsirt.get("/api/v1/intel/objects", params={"type": "sighting"}).json()
    others = [o["id"] for o in objects["objects"]]
    assert others, "milcsirt's sightings of the shared indicator"
    who = email.split("@")[1].split(".")[1]
    _sign_in(browser, demo["base"], email)
    pages = {
        "overview": "/console",
        "incidents": "/console/incidents",
        "alerts": "/console/alerts",
        "campaign": f"/console/campaigns/{demo['campaign']}",
        "intel": "/console/intel?kind=all",
    }
    for name, path in pages.items():
        browser.get(demo["base"] + path)
        page = _text(browser) + browser.page_source
        assert not _restricted(page), (name, _restricted(page))
        assert not [o for o in others if o in page], name
        assert RED_TIP not in page, name
        _checked(browser, f"{who}-{name}")
    browser.get(f"{demo['base']}/console/campaigns/{demo['campaign']}")
    heading = browser.find_element(By.TAG_NAME, "h1").text
    if who == "westmark":  # part of the campaign: its own part, and "N other member(s)"
        others_seen = re.search(r"(\d+) other member\(s\) are part of it", _text(browser))
        assert others_seen and int(others_seen.group(1)) >= 3, _text(browser)
        assert FIRST not in _text(browser)
    else:
        assert heading == "Not found"
