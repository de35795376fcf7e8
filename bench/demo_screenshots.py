"""Screenshots of the console over the demo's data, for the README (run by hand).

Starts ``shieldwall demo`` on a free port, signs in as the centre's duty officer in
headless Debian chromium, and saves the overview, the demo's campaign and the ATT&CK heat
map to ``docs/``; it also prints how long each page took to load in the browser.

    python bench/demo_screenshots.py [--out docs]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from shieldwall.demo import DEMO_PASSWORD

FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage")


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args()
    port = _port()
    with tempfile.TemporaryDirectory() as tmp:
        process = subprocess.Popen(
            [sys.executable, "-m", "shieldwall.cli", "demo", "--port", str(port),
             "--data-dir", f"{tmp}/demo"],
            env={**os.environ, "SHIELDWALL_LOG_LEVEL": "WARNING"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 240
            while True:
                try:
                    httpx.get(f"{base}/healthz")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise SystemExit("the demo did not start") from None
                    time.sleep(0.5)
            _shots(base, args.out, tmp)
        finally:
            process.terminate()
            process.wait(timeout=30)


def _shots(base: str, out: Path, tmp: str) -> None:
    options = webdriver.ChromeOptions()
    options.binary_location = str(shutil.which("chromium"))
    for flag in (*FLAGS, "--window-size=1400,1000", f"--user-data-dir={tmp}/profile"):
        options.add_argument(flag)
    driver = webdriver.Chrome(
        options=options, service=Service(executable_path=str(shutil.which("chromedriver")))
    )
    try:
        driver.get(f"{base}/console")
        driver.find_element(By.ID, "email").send_keys("duty@ccdc.example")
        driver.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        time.sleep(3)  # a few live items arrive
        for name, path in (("overview", ""), ("campaign", "/campaigns"), ("attack", "/attack")):
            started = time.perf_counter()
            driver.get(f"{base}/console{path}")
            if name == "campaign":
                links = driver.find_elements(By.CSS_SELECTOR, "main a[href^='/console/campaigns/']")
                if links:
                    driver.get(str(links[0].get_attribute("href")))
            took = time.perf_counter() - started
            driver.save_screenshot(str(out / f"console-{name}.png"))
            print(f"{name:10s} {took * 1000:6.0f} ms in the browser")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
