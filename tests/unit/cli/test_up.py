"""`shieldwall up` serves the API on the embedded default, as the README promises."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_up_serves_health_readiness_and_openapi(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "SHIELDWALL_DATA_DIR": str(tmp_path / "data"),
        "SHIELDWALL_PORT": str(port),
    }
    log = (tmp_path / "up.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "shieldwall.cli", "up"], env=env, stdout=log, stderr=log
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120  # a guard against hanging, no time budget
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError((tmp_path / "up.log").read_text()) from None
                time.sleep(0.2)
        assert httpx.get(f"{base}/readyz").json() == {"status": "ready"}
        assert httpx.get(f"{base}/openapi.json").json()["info"]["title"] == "Shieldwall"
        assert httpx.get(f"{base}/api/v1/me").status_code == 401
        assert "shieldwall_http_requests_total" in httpx.get(f"{base}/metrics").text
        assert (tmp_path / "data" / "shieldwall.db").exists()
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
