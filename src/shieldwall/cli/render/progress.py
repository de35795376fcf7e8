"""A Rich progress bar over the bytes of the files scanned, shown only on a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from shieldwall.scan import ScanProgress

ProgressSink = Callable[[ScanProgress], None]


def _ignore(_: ScanProgress) -> None:
    """Progress sink when stderr is not a terminal: bars in a log file are noise."""


@contextmanager
def progress_reporter(console: Console) -> Iterator[ProgressSink]:
    """Yield a progress callback that drives a bar on ``console`` while the block runs."""
    if not console.is_terminal:
        yield _ignore
        return
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files  {task.fields[events]:,} events  {task.fields[detections]:,} hits"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("loading rules", total=None, events=0, detections=0)

        def update(progress: ScanProgress) -> None:
            bar.update(
                task,
                description="scanning",
                total=progress.files_total,
                completed=progress.files_done,
                events=progress.events,
                detections=progress.detections,
            )

        yield update
