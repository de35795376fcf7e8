"""Run the demo's scenario with the live pipeline's workers beside it, as `shieldwall up` does.

The detect and fuse workers are the same threads the server starts; they stop when the
scenario ends (the server, if the console is served next, starts its own and resumes from
what they acknowledged).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from shieldwall.config.settings import Settings, load_settings
from shieldwall.demo.rules import rules_directory
from shieldwall.demo.scenario import Say, Scenario, StepReport
from shieldwall.model.errors import ConfigError
from shieldwall.runtime import DetectThread, FuseThread, Services, live_rules


def demo_settings(data_dir: Path, env: Mapping[str, str] | None = None) -> Settings:
    """The embedded default in ``data_dir``, running the demo's rules in the live pipeline."""
    given = dict(env or {})
    given["SHIELDWALL_DATA_DIR"] = str(data_dir)
    given.setdefault("SHIELDWALL_LIVE_RULES", str(rules_directory()))
    return load_settings(given)


def run_scenario(
    services: Services, say: Say, scenario: Scenario | None = None
) -> list[StepReport]:
    """Every step, with the workers running; DemoStepFailedError on the first step missed."""
    if services.buses is None:
        raise ConfigError("bus_url", "the demo needs the live pipeline's bus")
    detect = DetectThread(services.buses, services.store, live_rules(services.settings))
    fuse = FuseThread(services.buses, services.store)
    detect.start()
    fuse.start()
    try:
        return (scenario or Scenario(services)).run(say)
    finally:
        detect.stop()
        fuse.stop()
