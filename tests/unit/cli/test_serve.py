"""`shieldwall serve`: the API without the live stages, which `shieldwall worker` runs.

`up` runs the detect and fuse stages as threads beside the API; `serve` leaves them to
worker processes (issue 10: "`shieldwall serve` (API only) and `shieldwall worker
detect|fuse` run the stages as separate processes"). Both are run here with uvicorn
replaced by a probe that looks at the threads while "serving".
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from shieldwall.cli.main import app
from shieldwall.server import run as server

STAGES = {"shieldwall-detect", "shieldwall-fuse"}


def _threads_while_serving(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[set[str], Any]:
    config = tmp_path / "shieldwall.toml"
    config.write_text(f'[shieldwall]\ndata_dir = "{tmp_path / "data"}"\nlive_detect = true\n')
    seen: dict[str, Any] = {}

    def probe(application: Any, **_kwargs: Any) -> None:
        seen["threads"] = {thread.name for thread in threading.enumerate()}
        seen["app"] = application

    monkeypatch.setattr(server.uvicorn, "run", probe)
    result = CliRunner().invoke(app, [command, "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "Shieldwall on http://" in result.output
    return seen["threads"], seen["app"]


def test_up_runs_the_detect_and_fuse_stages_beside_the_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads, application = _threads_while_serving("up", tmp_path, monkeypatch)
    assert threads >= STAGES
    assert application.title == "Shieldwall"


def test_serve_runs_the_api_and_leaves_the_stages_to_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads, application = _threads_while_serving("serve", tmp_path, monkeypatch)
    assert not STAGES & threads
    assert "shieldwall-playbooks" in threads  # the rest of what `up` runs is still here
    assert application.title == "Shieldwall"
    assert not STAGES & {thread.name for thread in threading.enumerate()}
