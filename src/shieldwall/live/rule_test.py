"""``rules test``: a rule text run over given events, every match shown, nothing stored.

The events are read as a sensor's batch is (NDJSON in any format the readers know, each
bad line named) and matched by the same engine and correlation engine as ``shieldwall
scan``; the text is checked under the same budgets as one being added, so a rule that
tests clean here loads clean there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shieldwall.detect.correlate import CorrelationEngine
from shieldwall.detect.engine import Engine
from shieldwall.ingest.intake import RefusedLine, read_batch
from shieldwall.live.rule_texts import check, identify
from shieldwall.model.detection import Detection
from shieldwall.model.errors import InputError, RuleError
from shieldwall.model.event import RecordFormat
from shieldwall.model.rules import CENTRE_SET
from shieldwall.normalise import normalise

MAX_TEST_MATCHES = 1000


@dataclass(slots=True)
class RuleTestReport:
    """What the rule found in the events."""

    events: int = 0
    matches: list[dict[str, Any]] = field(default_factory=list)
    refused: list[RefusedLine] = field(default_factory=list)
    problems: list[RuleError] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The answer's body."""
        return {
            "events": self.events,
            "matched": len(self.matches),
            "matches": self.matches[:MAX_TEST_MATCHES],
            "refused": [{"line": r.line, "reason": r.reason} for r in self.refused[:1000]],
            "problems": [{"rule": p.rule_id, "message": p.reason} for p in self.problems],
        }


def run_rule_test(
    text: str, events: bytes, *, forced: RecordFormat | None = None
) -> RuleTestReport:
    """Match ``text`` against each NDJSON line of ``events`` (RuleSetError if it is bad)."""
    rule_id, _title = identify(text)
    ruleset = check(text, CENTRE_SET, rule_id, ())
    engine = Engine(ruleset)
    report = RuleTestReport()
    correlator = CorrelationEngine(
        ruleset.correlations,
        [(rule.rule_id, rule.name) for rule in ruleset.rules],
        on_problem=report.problems.append,
        sort_at_flush=True,
    )
    intake = read_batch(events, source="events", forced=forced)
    report.refused.extend(intake.refused)
    for record in intake.records:
        line = record.source.record_id or 0
        try:
            event = normalise(record)
        except InputError as exc:
            report.refused.append(RefusedLine(line, exc.reason))
            continue
        report.events += 1
        for detection in engine.match(event):
            if correlator.emits_base(detection.rule_id, detection.rule_name):
                report.matches.append(_match(detection, line))
            for fired in correlator.feed(detection):
                report.matches.append(_match(fired, line))
    report.matches.extend(_match(fired, 0) for fired in correlator.flush())
    report.problems.extend(engine.disabled)
    return report


def _match(detection: Detection, line: int) -> dict[str, Any]:
    return {
        "line": line,
        "rule": detection.rule_id,
        "title": detection.rule_title,
        "level": detection.level.name.lower(),
        "kind": detection.kind,
        "matched": {key: str(value)[:500] for key, value in detection.matched.items()},
        "count": detection.count,
    }
