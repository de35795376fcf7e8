"""What a scan tells the analyst besides the detections: counts, rates and problems.

Kept apart from the scan loop so the CLI, the benchmark and tests read one structure, and so
the counting (cheap, per detection) stays out of the per-event hot path.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from shieldwall.model.detection import Detection, Level
from shieldwall.model.errors import InputError, RuleError

MAX_KEPT_PROBLEMS = 200
"""Problems beyond this many are counted, not kept: a broken file can yield thousands."""


@dataclass(frozen=True, slots=True)
class ScanProgress:
    """A snapshot for a progress bar: files and bytes done out of the total."""

    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    events: int
    detections: int


@dataclass(slots=True)
class DetectionTally:
    """Detections counted by level, rule and technique.

    A ``--jobs`` worker keeps one for the detections it encodes itself and sends it with each
    file; the parent adds it to the :class:`ScanSummary`, which is itself a tally.
    """

    detections: int = 0
    by_level: Counter[Level] = field(default_factory=Counter)
    by_rule: Counter[str] = field(default_factory=Counter)
    rule_titles: dict[str, str] = field(default_factory=dict)
    by_technique: Counter[str] = field(default_factory=Counter)
    technique_names: dict[str, str] = field(default_factory=dict)

    def count_detection(self, detection: Detection) -> None:
        """Add one emitted detection to the tallies."""
        self.detections += 1
        self.by_level[detection.level] += 1
        self.by_rule[detection.rule_id] += 1
        self.rule_titles.setdefault(detection.rule_id, detection.rule_title)
        for technique in detection.attack:
            self.by_technique[technique.id] += 1
            self.technique_names.setdefault(technique.id, technique.name)

    def absorb(self, other: DetectionTally) -> None:
        """Add another tally's counts to this one."""
        self.detections += other.detections
        self.by_level.update(other.by_level)
        self.by_rule.update(other.by_rule)
        self.by_technique.update(other.by_technique)
        for titles, more in (
            (self.rule_titles, other.rule_titles),
            (self.technique_names, other.technique_names),
        ):
            for key, value in more.items():
                titles.setdefault(key, value)


@dataclass(slots=True)
class ScanSummary(DetectionTally):
    """Everything counted during one scan; complete once the detections are exhausted."""

    rules_loaded: int = 0
    rule_files_read: int = 0
    rule_problems: list[RuleError] = field(default_factory=list)
    rules_disabled: list[RuleError] = field(default_factory=list)
    """Rules switched off during the scan (past their budget), once each however many
    ``--jobs`` workers disabled them."""
    files: int = 0
    events: int = 0
    problems: list[InputError] = field(default_factory=list)
    problem_count: int = 0
    load_seconds: float = 0.0
    scan_seconds: float = 0.0
    jobs: int = 1
    worker_peak_rss_kib: int = 0
    """Largest peak resident memory of a ``--jobs`` worker (0 when scanning in-process)."""
    worker_cpu_seconds: tuple[float, ...] = ()
    """CPU time each ``--jobs`` worker spent scanning: on a busy machine, wall time measures
    the neighbours too; CPU time shows what the scan itself cost."""

    @property
    def rules_failed(self) -> int:
        """Rules (or rule files) that could not be loaded or compiled."""
        return len(self.rule_problems)

    @property
    def events_per_second(self) -> float:
        """Events read, normalised and matched per second of scanning (rule loading apart)."""
        return self.events / self.scan_seconds if self.scan_seconds > 0 else 0.0

    def count_problem(self, problem: InputError) -> None:
        """Keep the first problems, count them all."""
        self.problem_count += 1
        if len(self.problems) < MAX_KEPT_PROBLEMS:
            self.problems.append(problem)

    def disable_rule(self, problem: RuleError) -> None:
        """Record a rule disabled while scanning; a second worker's report of it is dropped."""
        known = {(p.source, p.rule_id) for p in self.rules_disabled}
        if (problem.source, problem.rule_id) not in known:
            self.rules_disabled.append(problem)

    def rule_failures_by_reason(self) -> Counter[str]:
        """Rule failures grouped by reason, for a compact report of thousands of rules."""
        return Counter(problem.reason for problem in self.rule_problems)
