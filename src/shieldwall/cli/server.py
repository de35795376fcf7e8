"""`shieldwall up`, `shieldwall serve` and `shieldwall db ...`: run the service, manage its
schema."""

from __future__ import annotations

from pathlib import Path

import typer

from shieldwall import runtime, server
from shieldwall.cli.context import ConfigOption, out, reports_errors, services_from, settings_from

db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Mount `up`, `serve` and `db` on the main app."""
    app.command("up")(up)
    app.command("serve")(serve)
    app.add_typer(db_app, name="db")


StageProcessesOption = typer.Option(
    False,
    "--stage-processes",
    help="Run the live detect and fuse stages as worker processes of their own (started,"
    " restarted and stopped by this one) instead of threads: each gets a core.",
)


DetectWorkersOption = typer.Option(
    1,
    "--detect-workers",
    min=1,
    max=16,
    help="With --stage-processes: detect worker processes sharing the stage's consumer.",
)


@reports_errors
def up(
    config: Path | None = ConfigOption,
    stage_processes: bool = StageProcessesOption,
    detect_workers: int = DetectWorkersOption,
) -> None:
    """Run Shieldwall: the API on the configured address, on the embedded store by default.

    Everything runs in this one process; with `--stage-processes` the live pipeline's
    detect and fuse stages run as `shieldwall worker` children instead (`--detect-workers`
    of them for detection), for throughput on a machine of several cores. Configured
    TAXII feeds are pulled on schedule by a background thread that stops when the API
    shuts down (run them in a separate `shieldwall intel pull --loop` instead by leaving
    them out of this process's settings).
    """
    if detect_workers > 1 and not stage_processes:
        raise typer.BadParameter("needs --stage-processes", param_hint="--detect-workers")
    stages = ("detect",) * detect_workers + ("fuse",)
    _run(config, stages=True, children=stages if stage_processes else ())


@reports_errors
def serve(config: Path | None = ConfigOption) -> None:
    """Run the API without the live pipeline's stages: run them beside it as
    `shieldwall worker detect` and `shieldwall worker fuse` (as many as needed on NATS
    JetStream with PostgreSQL; on the embedded store, a detect worker or two on one
    machine, which share the stage's consumer there too).

    Everything else `up` runs is here too: TAXII feeds, the syslog listener, playbooks and
    (unless `notify.worker` is off) notification delivery.
    """
    _run(config, stages=False)


def _run(config: Path | None, *, stages: bool, children: tuple[str, ...] = ()) -> None:
    settings_from(config).check_transport()
    services = services_from(config)
    out.print(server.banner(services))
    workers = runtime.StageProcesses(config, children) if children else None
    if not server.serve(services, stages=stages, children=workers):
        out.print("a worker was still busy when stopped; it resumes there on the next start")


@db_app.command("upgrade")
@reports_errors
def db_upgrade(config: Path | None = ConfigOption) -> None:
    """Bring the database to the newest schema."""
    revision = runtime.upgrade_database(settings_from(config))
    out.print(f"database at revision {revision}")


@db_app.command("current")
@reports_errors
def db_current(config: Path | None = ConfigOption) -> None:
    """Print the schema revision of the database and of this code."""
    database, code = runtime.schema_revisions(settings_from(config))
    out.print(f"database: {database}  code: {code}")
