"""``shieldwall scan``: run Sigma rules over log files and write every detection.

Detections go to ``--output`` (or stdout) as JSONL, CSV or a table; the summary and any
progress bar go to stderr so the detections can be piped. Exit codes: 0 when the scan ran
(with or without detections), 2 on a usage error (a missing path, no rule loaded, a bad
option), 1 when the scan itself failed (a worker process died).
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated, Literal, NoReturn

import typer
from rich.console import Console

from shieldwall.cli.render import render_summary
from shieldwall.cli.render.progress import progress_reporter
from shieldwall.model.detection import Level
from shieldwall.model.errors import InputError, ShieldwallError
from shieldwall.model.event import RecordFormat
from shieldwall.scan import (
    OutputFormat,
    RuleSelection,
    ScanRun,
    TableWriter,
    default_jobs,
    encoder_for,
    load_catalogue,
    scan,
)

USAGE_ERROR = 2
SCAN_FAILED = 1
LevelName = Literal["informational", "low", "medium", "high", "critical"]

RulesOption = Annotated[
    list[Path], typer.Option("--rules", "-r", help="Sigma rule file or directory (repeatable).")
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write detections here (default stdout).")
]
JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        show_default="the cores this process may use",
        help="Worker processes; files are split among them, and detections of different"
        " files then come in the order the workers finish them.",
    ),
]
LevelOption = Annotated[
    LevelName | None, typer.Option("--level", help="Only rules of this level and above.")
]
StatusOption = Annotated[
    list[str] | None, typer.Option("--status", help="Only rules of this status (repeatable).")
]
TagOption = Annotated[
    list[str] | None,
    typer.Option("--tag", help="Only rules with this tag; wildcards allowed (repeatable)."),
]
RuleIdOption = Annotated[
    list[str] | None, typer.Option("--rule-id", help="Only this rule id or name (repeatable).")
]
InputFormatOption = Annotated[
    RecordFormat | None,
    typer.Option("--input-format", help="Log format, when not to detect it from content."),
]
PlaceholdersOption = Annotated[
    Path | None, typer.Option("--placeholders", help="YAML file of values for |expand.")
]
DataDirOption = Annotated[
    Path,
    typer.Option("--data-dir", envvar="SHIELDWALL_DATA_DIR", help="Data directory (ATT&CK table)."),
]
CacheOption = Annotated[
    Path | None,
    typer.Option(
        "--cache",
        help="Directory of the compiled rule cache (default: rule-cache in the data directory).",
    ),
]
NoCacheOption = Annotated[
    bool, typer.Option("--no-cache", help="Load the rules without the rule cache.")
]
TopOption = Annotated[int, typer.Option("--top", min=1, help="Rules listed in the summary.")]


def scan_command(
    paths: Annotated[list[Path], typer.Argument(help="Log files or directories.", metavar="PATH")],
    rules: RulesOption,
    output_format: FormatOption = "jsonl",
    output: OutputOption = None,
    jobs: JobsOption = None,
    level: LevelOption = None,
    status: StatusOption = None,
    tag: TagOption = None,
    rule_id: RuleIdOption = None,
    input_format: InputFormatOption = None,
    placeholders: PlaceholdersOption = None,
    data_dir: DataDirOption = Path("data"),
    cache: CacheOption = None,
    no_cache: NoCacheOption = False,
    top: TopOption = 15,
) -> None:
    """Scan log files with Sigma rules; detections to stdout or --output, summary to stderr.

    Exit code 0 when the scan ran, with or without detections; 2 on a usage error (a missing
    path, no rule loaded, a bad option); 1 when the scan itself failed.
    """
    errors = Console(stderr=True)
    selection = _selection(level, status, tag, rule_id)
    rule_cache = None if no_cache else (cache or data_dir / "rule-cache")
    if output is not None and not _writable(output):
        _fail(errors, f"{output}: cannot write there", USAGE_ERROR)
    with progress_reporter(errors) as on_progress:
        try:
            run = scan(
                paths, rules, fmt=input_format, selection=selection, placeholders=placeholders,
                rule_cache=rule_cache, jobs=jobs or default_jobs(),
                catalogue=load_catalogue(data_dir), on_progress=on_progress,
                encoder=None if output_format == "table" else encoder_for(output_format),
            )  # fmt: skip
        except InputError as error:
            _fail(errors, str(error), USAGE_ERROR)
        except ShieldwallError as error:
            _fail(errors, f"scan failed: {error}", SCAN_FAILED)
        _write_all(run, output_format, output, errors)
    render_summary(run.summary, errors, top=top)


def register(app: typer.Typer) -> None:
    """Mount ``scan`` on the main application."""
    app.command("scan")(scan_command)


def _selection(
    level: LevelName | None,
    statuses: list[str] | None,
    tags: list[str] | None,
    rule_ids: list[str] | None,
) -> RuleSelection | None:
    if not (level or statuses or tags or rule_ids):
        return None
    return RuleSelection(
        min_level=Level.parse(level) if level else None,
        statuses=frozenset(statuses) if statuses else None,
        tags=frozenset(tags) if tags else None,
        rule_ids=frozenset(rule_ids) if rule_ids else None,
    )


def _write_all(
    run: ScanRun, output_format: OutputFormat, output: Path | None, errors: Console
) -> None:
    try:
        with _output(output) as stream:
            if output_format == "table":
                _write_table(run, stream)
            else:
                for chunk in run.encoded():
                    stream.write(chunk)
    except BrokenPipeError:
        _reader_left()
    except InputError as error:
        _fail(errors, str(error), USAGE_ERROR)
    except ShieldwallError as error:
        _fail(errors, f"scan failed: {error}", SCAN_FAILED)


def _write_table(run: ScanRun, stream: IO[bytes]) -> None:
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
    try:
        table = TableWriter(text)
        for detection in run:
            table.write(detection)
        table.close()
    finally:
        text.detach()


@contextmanager
def _output(output: Path | None) -> Iterator[IO[bytes]]:
    """The binary stream detections go to: ``--output`` (created) or stdout."""
    if output is None:
        try:
            yield sys.stdout.buffer
        finally:
            sys.stdout.buffer.flush()
        return
    try:
        handle: IO[bytes] = output.open("wb")
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", source=str(output)) from exc
    with handle:
        yield handle


def _writable(output: Path) -> bool:
    """Checked before the rules load, so a typo in --output does not cost a whole load."""
    if output.is_dir():
        return False
    return output.parent.is_dir() and os.access(output.parent, os.W_OK)


def _reader_left() -> NoReturn:
    """The reader of stdout went away (``| head``): stop scanning, quietly, like a Unix tool.

    stdout is pointed at /dev/null first, so the interpreter's final flush does not fail too.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise typer.Exit(0)


def _fail(errors: Console, message: str, code: int) -> NoReturn:
    errors.print(f"[red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)
