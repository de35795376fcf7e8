"""`shieldwall up` and `shieldwall db ...`: run the service, manage its schema."""

from __future__ import annotations

import os
import ssl
from pathlib import Path
from typing import Any

import typer
import uvicorn

from shieldwall.api.app import create_app
from shieldwall.cli.context import ConfigOption, out, reports_errors, services_from, settings_from
from shieldwall.config.settings import Settings
from shieldwall.runtime.feeds import FeedWorker, feed_runner
from shieldwall.store import migrate
from shieldwall.store.sql.engine import create_sql_engine, parsed_safe

db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Mount `up` and `db` on the main app."""
    app.command("up")(up)
    app.add_typer(db_app, name="db")


@reports_errors
def up(config: Path | None = ConfigOption) -> None:
    """Run Shieldwall: the API on the configured address, on the embedded store by default.

    Configured TAXII feeds are pulled on schedule by a background thread that stops when
    the API shuts down (run them in a separate `shieldwall intel pull --loop` instead by
    leaving them out of this process's settings).
    """
    settings_from(config).check_transport()
    services = services_from(config)
    settings = services.settings
    worker = FeedWorker(feed_runner(services, os.environ)) if settings.taxii_feeds else None
    scheme = "https" if settings.serves_tls else "http"
    out.print(
        f"Shieldwall on {scheme}://{settings.host}:{settings.port} "
        f"(database {parsed_safe(settings.effective_database_url)}, bus {settings.bus_url}, "
        f"{len(settings.taxii_feeds)} TAXII feeds)"
    )
    if worker is not None:
        worker.start()
    try:
        uvicorn.run(
            create_app(services),
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level.lower(),
            proxy_headers=False,
            **tls_options(settings),
        )
    finally:
        if worker is not None and not worker.stop():
            out.print("feed worker still finishing a page; it resumes there on the next start")


def tls_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's TLS arguments: certificate and key, TLS 1.2 at least (T1).

    Python's server context already refuses SSLv3, TLS 1.0 and 1.1 (its minimum is TLS
    1.2) and negotiates TLS 1.3 when the client offers it.
    """
    if not settings.serves_tls:
        return {}
    return {
        "ssl_certfile": str(settings.tls_cert_file),
        "ssl_keyfile": str(settings.tls_key_file),
        "ssl_version": ssl.PROTOCOL_TLS_SERVER,
    }


@db_app.command("upgrade")
@reports_errors
def db_upgrade(config: Path | None = ConfigOption) -> None:
    """Bring the database to the newest schema."""
    settings = settings_from(config)
    engine = create_sql_engine(settings.effective_database_url)
    migrate.upgrade(engine)
    out.print(f"database at revision {migrate.current_revision(engine)}")


@db_app.command("current")
@reports_errors
def db_current(config: Path | None = ConfigOption) -> None:
    """Print the schema revision of the database and of this code."""
    settings = settings_from(config)
    engine = create_sql_engine(settings.effective_database_url)
    out.print(f"database: {migrate.current_revision(engine)}  code: {migrate.head_revision()}")
