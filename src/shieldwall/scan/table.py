"""The detection table for people, drawn when the scan ends; JSONL and CSV are in `.encoders`."""

from __future__ import annotations

from typing import IO, Literal

from rich.console import Console
from rich.table import Table

from shieldwall.model.detection import Detection, Level
from shieldwall.scan.encoders import utc_iso

OutputFormat = Literal["jsonl", "csv", "table"]
FORMATS: tuple[OutputFormat, ...] = ("jsonl", "csv", "table")
LEVEL_STYLES = {
    Level.INFORMATIONAL: "dim",
    Level.LOW: "cyan",
    Level.MEDIUM: "yellow",
    Level.HIGH: "red",
    Level.CRITICAL: "bold white on red",
}


class TableWriter:
    """A Rich table, printed when the scan ends (so it holds every detection until then)."""

    def __init__(self, stream: IO[str]) -> None:
        self._console = Console(file=stream, soft_wrap=False)
        self._table = Table(title="Detections", show_lines=False)
        for column in ("Time (UTC)", "Level", "Rule", "ATT&CK", "Source"):
            self._table.add_column(column, overflow="fold")

    def write(self, detection: Detection) -> None:
        source = detection.source
        where = f"{source.path}#{source.record_id}" if source else f"{detection.count} events"
        self._table.add_row(
            utc_iso(detection.timestamp) or "",
            f"[{LEVEL_STYLES[detection.level]}]{detection.level.name.lower()}[/]",
            detection.rule_title,
            " ".join(t.id for t in detection.attack),
            where,
        )

    def close(self) -> None:
        self._console.print(self._table)
