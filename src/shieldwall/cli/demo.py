"""`shieldwall demo`: a coalition under attack, end to end, then the console to watch it."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import typer

from shieldwall import demo, runtime, server
from shieldwall.cli.context import out, reports_errors


def register(app: typer.Typer) -> None:
    """Mount `demo` on the main app."""
    app.command("demo")(run_demo)


@reports_errors
def run_demo(
    data_dir: Path = typer.Option(
        Path("shieldwall-demo"), "--data-dir", help="Where the demo keeps its database (wiped)."
    ),
    serve: bool = typer.Option(
        True, "--serve/--no-serve", help="Serve the console afterwards (else exit)."
    ),
    port: int = typer.Option(8000, "--port", help="The console's port on 127.0.0.1."),
) -> None:
    """Create a demo coalition, run a multi-stage campaign through the real pipeline, check
    every step, then serve the console with telemetry still streaming. `--no-serve` exits
    non-zero, naming the step, if any step did not happen."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    settings = demo.demo_settings(data_dir, {"SHIELDWALL_PORT": str(port)})
    services = runtime.open_services(settings)
    started = time.perf_counter()
    out.print(f"Shieldwall demo in {data_dir}/ (embedded database, nothing to install)")
    try:
        scenario = demo.Scenario(services)
        demo.run_scenario(services, lambda step: out.print(_line(step)), scenario)
    except demo.DemoStepFailedError:
        services.close()
        raise
    out.print(f"every step happened in {time.perf_counter() - started:.1f} s")
    if not serve:
        services.close()
        return
    _serve(services, scenario)


def _line(step: demo.StepReport) -> str:
    timing = f"({step.seconds:.1f} s; see: {step.where})"
    return f"  [green]✓[/green] {step.name:18s} {step.detail}  {timing}"


def _serve(services: runtime.Services, scenario: demo.Scenario) -> None:
    settings = services.settings
    out.print(f"\nThe console: http://127.0.0.1:{settings.port}/")
    out.print(f"  centre duty officer  duty@ccdc.example / {demo.DEMO_PASSWORD}")
    out.print(f"  member analyst       analyst@cert.nordia.example / {demo.DEMO_PASSWORD}")
    out.print("Telemetry keeps streaming; Ctrl-C stops the demo.")
    background = demo.BackgroundTelemetry(services, scenario.coalition, scenario.plan)
    background.start()
    try:
        server.serve(services)
    finally:
        background.stop()
        services.close()
