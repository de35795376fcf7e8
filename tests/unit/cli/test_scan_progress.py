"""The progress bar: drawn on a terminal, absent otherwise."""

from __future__ import annotations

import io

from rich.console import Console

from shieldwall.cli.render.progress import progress_reporter
from shieldwall.scan.summary import ScanProgress

PROGRESS = ScanProgress(
    files_done=2, files_total=3, bytes_done=10, bytes_total=20, events=1234, detections=5
)


def test_a_terminal_gets_a_bar_with_files_events_and_hits() -> None:
    out = io.StringIO()
    with progress_reporter(Console(file=out, force_terminal=True, width=120)) as update:
        update(PROGRESS)
    text = out.getvalue()
    assert "scanning" in text
    assert "2/3" in text
    assert "1,234 events" in text and "5 hits" in text


def test_a_pipe_or_file_gets_nothing() -> None:
    out = io.StringIO()
    with progress_reporter(Console(file=out, force_terminal=False)) as update:
        update(PROGRESS)
    assert out.getvalue() == ""
