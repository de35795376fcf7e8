"""The start page, rendered by a real headless chromium against a running server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "SHIELDWALL_DATA_DIR": str(tmp_path / "d"), "SHIELDWALL_PORT": str(port)}
    log = (tmp_path / "server.log").open("wb")
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
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_start_page_renders_status_and_routes(
    chromium: list[str], server: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        [*chromium, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", f"{server}/"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    dom = result.stdout
    assert "<h1>Shieldwall</h1>" in dom
    assert '<span class="ok">ready</span>' in dom
    assert "/api/v1/organisations/{org_id}/suspend" in dom
    assert "<script" not in dom
