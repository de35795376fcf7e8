"""`shieldwall worker detect|fuse|notify`: a stage of the live pipeline (or the notification
delivery worker) as a process of its own.

At scale the API (`shieldwall serve`, or `up`) and the workers run apart; a stage scales
out by starting more of these processes on NATS JetStream with PostgreSQL: they share the
durable consumer, each message goes to one of them, and the database's idempotency keys
keep any redelivery harmless.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Any

import typer

from shieldwall import runtime
from shieldwall.cli.context import ConfigOption, out, reports_errors, services_from
from shieldwall.model.errors import ConfigError

worker_app = typer.Typer(help="Run a stage of the live pipeline.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Mount `worker` on the main app."""
    app.add_typer(worker_app, name="worker")


@worker_app.command("detect")
@reports_errors
def detect(config: Path | None = ConfigOption) -> None:
    """Match members' telemetry against the centre's rules (`live_rules`) until stopped."""
    services = services_from(config)
    if services.buses is None:
        raise ConfigError("bus_url", "no bus to read from")
    thread = runtime.DetectThread(
        services.buses, services.store, runtime.live_rules(services.settings)
    )
    _run(thread, f"detect worker on {services.buses.events_subject}")
    counts = thread.worker.counts if thread.worker else None
    if counts is not None:
        out.print(f"{counts.events} events matched, {counts.alerts} alerts stored")
    services.close()


@worker_app.command("fuse")
@reports_errors
def fuse(config: Path | None = ConfigOption) -> None:
    """Group the stored alerts into incidents (the `fuse_*` settings) until stopped."""
    services = services_from(config)
    if services.buses is None:
        raise ConfigError("bus_url", "no bus to read from")
    thread = runtime.FuseThread(services.buses, services.store)
    _run(thread, f"fuse worker on {services.buses.alerts_subject}")
    counts = thread.worker.counts if thread.worker else None
    if counts is not None:
        out.print(f"{counts.hits} alert hits fused, {counts.repeated} seen before")
    services.close()


@worker_app.command("notify")
@reports_errors
def notify(config: Path | None = ConfigOption) -> None:
    """Deliver the notification outbox (the `notify` settings) until stopped; run
    `shieldwall up` with `notify.worker = false` beside it."""
    services = services_from(config)
    thread = runtime.NotifyThread(services.store, services.settings.notify, os.environ)
    _run(thread, "notification delivery worker")
    services.close()


def _run(
    thread: runtime.DetectThread | runtime.FuseThread | runtime.NotifyThread, what: str
) -> None:
    """Run the stage's thread until SIGTERM or Ctrl-C, then stop it after its batch."""
    stopping = threading.Event()

    def stop(_signal: int, _frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    thread.start()
    out.print(f"{what}; stop with Ctrl-C")
    stopping.wait()
    if not thread.stop():
        out.print("a batch was still in hand; it is delivered again on the next start")
