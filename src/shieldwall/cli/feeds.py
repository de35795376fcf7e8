"""`shieldwall intel pull [--feed NAME]`: pull the configured TAXII feeds now.

``register(app)`` adds the ``pull`` command to the Typer app it is given: the lead mounts it
on the ``intel`` group (``feeds.register(intel_app)``). Objects go to the feed spool under
``data_dir/feeds/`` until the intelligence store's sink is wired in here.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.markup import escape

from shieldwall.cli.context import ConfigOption, err, out, reports_errors, services_from
from shieldwall.share.taxii_client.pull import PullReport
from shieldwall.share.taxii_client.runner import FeedRunner
from shieldwall.share.taxii_client.spool import SpoolSink
from shieldwall.share.taxii_client.state import StoreFeedStates

FAILED = 1
FeedOption = typer.Option(None, "--feed", help="Pull only this feed (default: every feed).")


def register(app: typer.Typer) -> None:
    """Add `pull` to the given app (the `intel` group)."""
    app.command("pull")(pull)


@reports_errors
def pull(feed: str | None = FeedOption, config: Path | None = ConfigOption) -> None:
    """Pull new objects from the configured TAXII 2.1 feeds, resuming where each stopped."""
    services = services_from(config)
    feeds = services.settings.taxii_feeds
    if not feeds:
        err.print("no TAXII feeds configured (add [[shieldwall.taxii_feeds]] to the settings)")
        raise typer.Exit(FAILED)
    sink = SpoolSink(services.settings.data_dir / "feeds")
    runner = FeedRunner(feeds, sink, StoreFeedStates(services.store), env=os.environ)
    names = [feed] if feed else [f.name for f in feeds]
    reports = [runner.run_feed(name) for name in names]
    for report in reports:
        _print(report)
    if not all(report.ok for report in reports):
        raise typer.Exit(FAILED)


def _print(report: PullReport) -> None:
    counts = (
        f"{report.pages} pages, {report.received} received, {report.stored} new, "
        f"{report.unchanged} unchanged, {len(report.rejected)} rejected"
    )
    if report.ok:
        resume = escape(str(report.resume_point))
        out.print(f"{report.feed}: {counts}; {report.stopped}; resume at {resume}")
        return
    err.print(f"[red]{report.feed}: failed:[/red] {escape(report.error)} ({counts})")
