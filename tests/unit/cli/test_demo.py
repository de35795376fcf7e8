"""`shieldwall demo`, as the README's first command runs it: every step checked, then served.

``--no-serve`` is what CI runs: the command must exit 0 and print every step. Served, the
console answers at once with the printed sign-in details, and background telemetry keeps
adding alerts while nobody touches anything.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import BinaryIO

import httpx

from shieldwall.demo import DEMO_PASSWORD

STEPS = (
    "coalition", "telemetry", "detection", "incidents", "indicator shared", "watchlist hits",
    "campaign", "playbook approved", "measures everywhere", "situation report",
    "approval waiting",
)  # fmt: skip


def _env() -> dict[str, str]:
    return {**os.environ, "COLUMNS": "250", "SHIELDWALL_LOG_LEVEL": "WARNING"}


def test_demo_no_serve_runs_every_step(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "shieldwall.cli", "demo", "--no-serve", "--data-dir",
         str(tmp_path / "demo")],
        env=_env(), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for step in STEPS:
        assert any(line.strip().startswith(f"✓ {step}") for line in lines), (step, done.stdout)
    assert "every step happened" in done.stdout
    assert (tmp_path / "demo" / "shieldwall.db").exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_demo_serves_the_picture_and_keeps_it_alive(tmp_path: Path) -> None:
    port = _free_port()
    with (tmp_path / "demo.log").open("wb") as log:
        _watch_the_demo(tmp_path, port, log)


def _watch_the_demo(tmp_path: Path, port: int, log: BinaryIO) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "shieldwall.cli", "demo", "--port", str(port), "--data-dir",
         str(tmp_path / "demo")],
        env=_env(), stdout=log, stderr=log,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError((tmp_path / "demo.log").read_text()) from None
                time.sleep(0.5)
        login = {"email": "duty@ccdc.example", "password": DEMO_PASSWORD}
        secret = httpx.post(f"{base}/api/v1/login", json=login).json()["secret"]
        headers = {"Authorization": f"Bearer {secret}"}

        def count() -> int:
            seen, after = 0, 0
            while True:
                body = httpx.get(
                    f"{base}/api/v1/alerts", params={"after": after, "limit": 1000}, headers=headers
                ).json()
                seen += sum(int(alert["count"]) for alert in body["alerts"])
                if "next_after" not in body:
                    return seen
                after = body["next_after"]

        first = count()  # hits: a repeated alert is counted on the first, not repeated
        assert first >= 11  # the scenario's Sigma and indicator alerts
        deadline = time.monotonic() + 60
        while count() <= first:  # a beacon every fifth round of background telemetry
            assert time.monotonic() < deadline, "no new hit while the demo streamed"
            time.sleep(1)
    finally:
        process.terminate()
        process.wait(timeout=30)
