"""The end-of-scan summary on stderr: what was read, what fired, and what went wrong."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from rich.console import Console
from rich.table import Table

from shieldwall.model.detection import Level
from shieldwall.scan import ScanSummary

TOP_RULES = 15
TOP_TECHNIQUES = 15
MAX_LISTED_PROBLEMS = 10
UNKNOWN_TECHNIQUE = "(not in the ATT&CK table; newer?)"


def render_summary(summary: ScanSummary, console: Console, *, top: int = TOP_RULES) -> None:
    """Print the totals, detections by level, rule and technique, then the problems."""
    console.print(_totals(summary))
    if summary.detections:
        console.print(_by_level(summary))
        console.print(_by_rule(summary, top))
    if summary.by_technique:
        console.print(_by_technique(summary, TOP_TECHNIQUES))
    _rule_failures(summary, console)
    _rules_disabled(summary, console)
    _input_problems(summary, console)


def _totals(summary: ScanSummary) -> Table:
    table = Table(title="Scan summary", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    rows = (
        ("rule files read", f"{summary.rule_files_read:,}"),
        ("rules loaded", f"{summary.rules_loaded:,}"),
        ("rules failed", f"{summary.rules_failed:,}"),
        ("rules disabled", f"{len(summary.rules_disabled):,}"),
        ("files", f"{summary.files:,}"),
        ("events", f"{summary.events:,}"),
        ("detections", f"{summary.detections:,}"),
        ("input problems", f"{summary.problem_count:,}"),
        ("rule loading", f"{summary.load_seconds:.2f} s"),
        ("scanning", f"{summary.scan_seconds:.2f} s ({summary.jobs} job(s))"),
        ("events/s", f"{summary.events_per_second:,.0f}"),
    )
    for what, value in rows:
        table.add_row(what, value)
    return table


def _by_level(summary: ScanSummary) -> Table:
    table = Table(title="Detections by level")
    table.add_column("level")
    table.add_column("count", justify="right")
    for level in sorted(Level, reverse=True):
        if summary.by_level[level]:
            table.add_row(level.name.lower(), f"{summary.by_level[level]:,}")
    return table


def _by_rule(summary: ScanSummary, top: int) -> Table:
    return _ranked(
        f"Detections by rule (top {top} of {len(summary.by_rule)})",
        ("rule", "id"),
        ((summary.rule_titles.get(rid, ""), rid) for rid, _ in summary.by_rule.most_common(top)),
        summary.by_rule,
        key_index=1,
    )


def _by_technique(summary: ScanSummary, top: int) -> Table:
    return _ranked(
        f"Detections by ATT&CK technique (top {top} of {len(summary.by_technique)})",
        ("technique", "name"),
        ((tid, summary.technique_names.get(tid) or UNKNOWN_TECHNIQUE) for tid, _ in
         summary.by_technique.most_common(top)),
        summary.by_technique,
        key_index=0,
    )  # fmt: skip


def _ranked(
    title: str,
    columns: tuple[str, str],
    rows: Iterable[tuple[str, str]],
    counts: Counter[str],
    *,
    key_index: int,
) -> Table:
    table = Table(title=title)
    for index, column in enumerate(columns):
        table.add_column(column, overflow="fold", no_wrap=index == key_index)
    table.add_column("count", justify="right")
    for row in rows:
        table.add_row(*row, f"{counts[row[key_index]]:,}")
    return table


def _rule_failures(summary: ScanSummary, console: Console) -> None:
    if not summary.rule_problems:
        return
    console.print(f"[yellow]{summary.rules_failed} rule(s) could not be loaded:[/]")
    for problem in summary.rule_problems:
        console.print(f"  {problem}", markup=False, highlight=False, soft_wrap=True)
    if summary.rules_failed > MAX_LISTED_PROBLEMS:
        console.print("  by reason:")
        for reason, count in summary.rule_failures_by_reason().most_common():
            console.print(f"  {count:>5}  {reason}", markup=False, highlight=False, soft_wrap=True)


def _rules_disabled(summary: ScanSummary, console: Console) -> None:
    if not summary.rules_disabled:
        return
    count = len(summary.rules_disabled)
    console.print(f"[yellow]{count} rule(s) disabled during the scan (past their budget):[/]")
    for problem in summary.rules_disabled:
        console.print(f"  {problem}", markup=False, highlight=False, soft_wrap=True)


def _input_problems(summary: ScanSummary, console: Console) -> None:
    if not summary.problem_count:
        return
    console.print(f"[yellow]{summary.problem_count} input problem(s):[/]")
    for problem in summary.problems[:MAX_LISTED_PROBLEMS]:
        console.print(f"  {problem}", markup=False, highlight=False, soft_wrap=True)
    hidden = summary.problem_count - MAX_LISTED_PROBLEMS
    if hidden > 0:
        console.print(f"  ... and {hidden} more")
