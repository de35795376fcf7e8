"""`shieldwall intel pull [--feed NAME] [--loop]` and `shieldwall intel push --partner NAME`.

``register(app)`` adds both commands to the Typer app it is given (the ``intel`` group).
Pulled objects go into the intelligence store for the member each feed names
(:mod:`shieldwall.share.intel.feed_sink`). A push sends what the partner's member
organisation may receive now, then the tombstones of what it no longer may
(:mod:`shieldwall.share.taxii_client.partner_push`), and reports each object's fate.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from types import FrameType

import typer
from rich.markup import escape

from shieldwall import share
from shieldwall.cli.context import ConfigOption, err, out, reports_errors, services_from
from shieldwall.runtime import feed_runner

FAILED = 1
FeedOption = typer.Option(None, "--feed", help="Pull only this feed (default: every feed).")
LoopOption = typer.Option(False, "--loop", help="Keep pulling on schedule until stopped.")


def register(app: typer.Typer) -> None:
    """Add `pull` and `push` to the given app (the `intel` group)."""
    app.command("pull")(pull)
    app.command("push")(push)


@reports_errors
def pull(
    feed: str | None = FeedOption, loop: bool = LoopOption, config: Path | None = ConfigOption
) -> None:
    """Pull new objects from the configured TAXII 2.1 feeds, resuming where each stopped."""
    services = services_from(config)
    feeds = services.settings.taxii_feeds
    if not feeds:
        err.print("no TAXII feeds configured (add [[shieldwall.taxii_feeds]] to the settings)")
        raise typer.Exit(FAILED)
    runner = feed_runner(services, os.environ)
    if loop:
        out.print(f"pulling {len(feeds)} feeds on schedule; stop with Ctrl-C or SIGTERM")
        runner.run_forever(_stop_on_signals())
        return
    names = [feed] if feed else [f.name for f in feeds]
    reports = [runner.run_feed(name) for name in names]
    for report in reports:
        _print(report)
    if not all(report.ok for report in reports):
        raise typer.Exit(FAILED)


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    return stop


def _print(report: share.PullReport) -> None:
    counts = (
        f"{report.pages} pages, {report.received} received, {report.stored} new, "
        f"{report.unchanged} unchanged, {len(report.rejected)} rejected"
    )
    for rejected in report.rejected:
        err.print(f"[yellow]refused[/yellow] {escape(rejected.place)}: {escape(rejected.reason)}")
    if report.ok:
        resume = escape(str(report.resume_point))
        out.print(f"{report.feed}: {counts}; {report.stopped}; resume at {resume}")
        return
    err.print(f"[red]{report.feed}: failed:[/red] {escape(report.error)} ({counts})")


@reports_errors
def push(
    partner: str = typer.Option(..., "--partner", help="The configured partner to push to."),
    since: str | None = typer.Option(
        None, "--since", help="Only objects added after this time (2024-01-01T00:00:00Z)."
    ),
    config: Path | None = ConfigOption,
) -> None:
    """Push what the partner's member organisation may receive now to its TAXII collection."""
    services = services_from(config)
    report = share.push_to_partner(
        services.store, services.settings.taxii_partners, partner, since=since, env=os.environ
    )
    _print_push(report)
    if not report.complete:
        raise typer.Exit(FAILED)


def _print_push(report: share.PushReport) -> None:
    for stix_id in report.succeeded:
        out.print(f"accepted {stix_id}")
    for detail in report.failed:
        err.print(f"[yellow]refused by partner[/yellow] {detail.id}: {escape(detail.message)}")
    for stix_id in report.pending:
        err.print(f"[yellow]pending[/yellow] {stix_id}")
    for stix_id, reason in report.withheld:
        err.print(f"[yellow]withheld[/yellow] {stix_id}: {reason}")
    for error in report.errors:
        err.print(f"[red]error:[/red] {escape(error)}")
    out.print(
        f"{report.partner}: sent {report.sent}, accepted {len(report.succeeded)}, "
        f"refused {len(report.failed)}, pending {len(report.pending)}, "
        f"withheld {len(report.withheld)}"
    )
