"""`shieldwall up --stage-processes`: one worker process per stage, started again when it
dies (paced), stopped with the API, killed when it will not stop."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from shieldwall.runtime.stage_processes import (
    FIRST_PAUSE,
    STEADY,
    StageProcesses,
    _Child,
    worker_command,
)

SLEEPER = "import time\nwhile True: time.sleep(0.1)"
STUBBORN = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n" + SLEEPER


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Spawner:
    """Starts a real Python child per stage in place of the worker, remembering what it
    was asked to run."""

    def __init__(self, code: str = SLEEPER) -> None:
        self.code = code
        self.asked: list[list[str]] = []
        self.started: list[subprocess.Popen[bytes]] = []

    def __call__(self, command: Sequence[str]) -> subprocess.Popen[bytes]:
        self.asked.append(list(command))
        process = subprocess.Popen([sys.executable, "-c", self.code])
        self.started.append(process)
        return process


@pytest.fixture
def spawner() -> Iterator[Spawner]:
    made = Spawner()
    yield made
    for process in made.started:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_each_stage_runs_as_the_worker_command_with_the_same_configuration(
    spawner: Spawner,
) -> None:
    config = Path("/etc/shieldwall.toml")
    stages = StageProcesses(config, spawn=spawner, clock=Clock())
    stages.start()
    try:
        assert spawner.asked == [worker_command("detect", config), worker_command("fuse", config)]
        assert spawner.asked[0][1:] == [
            "-m", "shieldwall.cli", "worker", "detect", "--config", str(config)
        ]  # fmt: skip
        assert worker_command("fuse", None)[1:] == ["-m", "shieldwall.cli", "worker", "fuse"]
        assert set(stages.pids()) == {"detect", "fuse"}
    finally:
        assert stages.stop()


def test_a_dead_worker_is_started_again_after_a_pause_that_grows(spawner: Spawner) -> None:
    clock = Clock()
    stages = StageProcesses(None, stages=("detect",), spawn=spawner, clock=clock)
    child = _Child("detect", worker_command("detect", None))
    stages._children = [child]  # started by hand: no watcher thread racing the clock
    stages._launch(child)
    first = stages.pids()["detect"]
    for pause in (FIRST_PAUSE, FIRST_PAUSE * 2, FIRST_PAUSE * 4):
        spawner.started[-1].send_signal(signal.SIGKILL)
        spawner.started[-1].wait()
        stages.check()  # seen dead: not started again before its pause
        assert "detect" not in stages.pids()
        clock.now += pause - 0.01
        stages.check()
        assert "detect" not in stages.pids()
        clock.now += 0.02
        stages.check()
        assert stages.pids()["detect"] not in (first, None)
    assert stages.restarts() == {"detect": 3}
    clock.now += STEADY  # it ran long enough: the next death is restarted after 1 s again
    spawner.started[-1].send_signal(signal.SIGKILL)
    spawner.started[-1].wait()
    stages.check()
    clock.now += FIRST_PAUSE + 0.01
    stages.check()
    assert stages.restarts() == {"detect": 4}
    assert stages.stop()


def test_stop_asks_the_workers_to_finish_and_kills_one_that_will_not() -> None:
    polite, stubborn = Spawner(), Spawner(STUBBORN)
    calls = iter([polite, stubborn])

    def spawn(command: Sequence[str]) -> subprocess.Popen[bytes]:
        return next(calls)(command)

    stages = StageProcesses(None, grace=1.0, spawn=spawn)
    stages.start()
    time.sleep(0.5)  # the stubborn child has set its handler
    assert not stages.stop()  # one had to be killed
    assert polite.started[0].returncode == -signal.SIGTERM
    assert stubborn.started[0].returncode == -signal.SIGKILL
    stages.check()  # stopping: nothing is started again
    assert len(polite.started) == len(stubborn.started) == 1


def test_a_stage_listed_twice_runs_two_numbered_replicas_of_one_worker(
    spawner: Spawner,
) -> None:
    stages = StageProcesses(None, stages=("detect", "detect", "fuse"), spawn=spawner)
    stages.start()
    try:
        assert set(stages.pids()) == {"detect-1", "detect-2", "fuse"}
        assert len(set(stages.pids().values())) == 3
        assert [command[4] for command in spawner.asked] == ["detect", "detect", "fuse"]
    finally:
        assert stages.stop()


def test_detect_workers_without_stage_processes_is_a_usage_error(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from shieldwall.cli.main import app

    config = tmp_path / "shieldwall.toml"
    config.write_text(f'[shieldwall]\ndata_dir = "{tmp_path / "data"}"\n')
    result = CliRunner().invoke(app, ["up", "--config", str(config), "--detect-workers", "2"])
    assert result.exit_code == 2
    assert "--stage-processes" in result.output
