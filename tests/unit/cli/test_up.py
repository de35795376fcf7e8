"""`shieldwall up` serves the API on the embedded default, as the README promises."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

DAY = timedelta(days=1)


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


RULE = """\
title: Evil binary started
id: 7c4d7b0e-1c2a-4f55-9b6e-0a8f7d1e2c31
level: high
logsource: {product: windows, category: process_creation}
detection:
    selection: {Image|endswith: '\\\\evil.exe'}
    condition: selection
"""


def _sensor_and_analyst(data: Path) -> tuple[str, str]:
    """Alpha's sensor and analyst tokens, made in the store `up` will open."""
    from shieldwall.access import accounts
    from shieldwall.access.accounts import OPERATOR
    from shieldwall.config.settings import load_settings
    from shieldwall.model.identity import Organisation, OrgKind, Person, Role
    from shieldwall.runtime import open_services

    services = open_services(load_settings({"SHIELDWALL_DATA_DIR": str(data)}))
    try:
        accounts.add_organisation(
            services.store, OPERATOR, Organisation("alpha", "Alpha", OrgKind.NATION, "FR")
        )
        secrets = []
        for name, role in (("sensor", Role.SENSOR), ("analyst", Role.ANALYST)):
            person = accounts.add_person(
                services.store, OPERATOR, Person("", "alpha", name, f"{name}@a.example", role)
            )
            token = accounts.create_token(services.store, OPERATOR, person.id, name, DAY)
            secrets.append(token.secret)
        return secrets[0], secrets[1]
    finally:
        services.close()


def _children(pid: int) -> dict[str, int]:
    """The stage workers among a process's children, by stage."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            if b"worker" in argv:
                found[argv[argv.index(b"worker") + 1].decode()] = int(child)
    return found


def _evil(host: str) -> bytes:
    return json.dumps({"Event": {
        "System": {
            "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}}, "EventID": 1,
            "EventRecordID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational",
            "Computer": host,
            "TimeCreated": {"#attributes": {"SystemTime": "2026-12-01T10:00:00.000000Z"}},
        },
        "EventData": {"Image": "C:\\x\\evil.exe"},
    }}).encode() + b"\n"  # fmt: skip


def _until(what: Callable[[], Any], process: subprocess.Popen[bytes], log: Path) -> Any:
    deadline = time.monotonic() + 60  # a guard against hanging, no time budget
    while not (found := what()):
        if time.monotonic() > deadline or process.poll() is not None:
            raise AssertionError(log.read_text())
        time.sleep(0.2)
    return found


def test_up_with_stage_processes_runs_restarts_and_stops_its_workers(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (tmp_path / "rules.yml").write_text(RULE, encoding="utf-8")
    sensor, analyst = _sensor_and_analyst(data)
    port = _free_port()
    env = {
        **os.environ,
        "SHIELDWALL_DATA_DIR": str(data),
        "SHIELDWALL_PORT": str(port),
        "SHIELDWALL_LIVE_RULES": str(tmp_path / "rules.yml"),
    }
    log = tmp_path / "up.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "shieldwall.cli", "up", "--stage-processes"],
            env=env, stdout=out, stderr=out,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    sent = {"content-type": "application/x-ndjson", "authorization": f"Bearer {sensor}"}
    reader = {"authorization": f"Bearer {analyst}"}

    def alerts() -> list[Any]:
        return list(httpx.get(f"{base}/api/v1/alerts", headers=reader).json()["alerts"])

    def incidents() -> list[Any]:
        return list(httpx.get(f"{base}/api/v1/incidents", headers=reader).json()["incidents"])

    try:
        _until(lambda: _ready(base), process, log)
        workers = _until(lambda: len(_children(process.pid)) == 2 and _children(process.pid),
                         process, log)  # fmt: skip
        assert set(workers) == {"detect", "fuse"}
        assert httpx.post(f"{base}/api/v1/ingest", content=_evil("ws1"), headers=sent).is_success
        _until(lambda: len(alerts()) == 1 and len(incidents()) == 1, process, log)

        os.kill(workers["detect"], signal.SIGKILL)  # a worker dies: started again
        again = _until(lambda: _children(process.pid).get("detect", workers["detect"])
                       != workers["detect"] and _children(process.pid), process, log)  # fmt: skip
        assert again["fuse"] == workers["fuse"]
        assert httpx.post(f"{base}/api/v1/ingest", content=_evil("ws2"), headers=sent).is_success
        _until(lambda: len(alerts()) == 2 and len(incidents()) == 2, process, log)
    finally:
        process.terminate()
        stopped = process.wait(timeout=60)
    assert stopped == 0  # SIGTERM: the API, then its workers, stopped in order
    for pid in workers.values():  # stopped with the API, none left behind
        assert (
            not Path(f"/proc/{pid}").exists()
            or b"worker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
        )
    assert "detect worker" in log.read_text() and "exited with -9" in log.read_text()


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz").status_code == 200
    except httpx.TransportError:
        return False
