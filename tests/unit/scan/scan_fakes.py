"""Small stand-ins for ingest, normalise and detect, to test the scan runtime alone.

Logs are text files with one JSON object per line (``{"msg": ..., "ts": ...}``); a line that
is not JSON is a corrupt record. Rules are JSON files ``{"id", "title", "level", "tags",
"contains"}``: a rule fires when its ``contains`` is in the event's ``msg``. Module-level
functions and classes only, so the stages pickle into worker processes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shieldwall.model.detection import Detection, Level
from shieldwall.model.errors import InputError, RuleError
from shieldwall.model.event import Event, RawRecord, RecordFormat, SourceRef
from shieldwall.scan.stages import RuleDigest, ScanStages


@dataclass(frozen=True)
class FakeRule:
    rule_id: str
    title: str
    level: Level
    tags: tuple[str, ...]
    contains: str
    name: str | None = None


@dataclass
class FakeRuleSet:
    rules: list[FakeRule]
    correlations: list[dict[str, Any]] = field(default_factory=list)
    problems: list[RuleError] = field(default_factory=list)
    files_read: int = 0


def discover(paths: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    return sorted(found)


def iter_records(
    path: Path, *, fmt: RecordFormat | None, on_problem: Callable[[InputError], None]
) -> Iterator[RawRecord]:
    if path.name.startswith("die-now"):
        os._exit(7)  # a worker killed mid-scan (out of memory, say)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            payload = json.loads(line)
        except json.JSONDecodeError:
            on_problem(InputError("not JSON", source=str(path), place=f"line {number}"))
            continue
        yield RawRecord(SourceRef(str(path), number), fmt or "json", payload)


def normalise(record: RawRecord) -> Event:
    assert isinstance(record.payload, dict)
    if "msg" not in record.payload:
        raise InputError("no msg field", source=record.source.path, place="msg")
    stamp = record.payload.get("ts")
    when = datetime.fromtimestamp(stamp, UTC) if stamp is not None else None
    return Event(dict(record.payload), record.source, when, record.format)


def load_rules(
    paths: Sequence[Path], *, selection: Any, placeholders: Path | None, cache: Path | None
) -> FakeRuleSet:
    ruleset = FakeRuleSet(rules=[])
    for path in discover(paths):
        ruleset.files_read += 1
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            ruleset.problems.append(RuleError(f"not JSON: {exc}", source=str(path)))
            continue
        if "correlation" in data:
            ruleset.correlations.append(data)
            continue
        minimum = getattr(selection, "min_level", selection)
        if minimum is not None and Level.parse(data["level"]) < minimum:
            continue
        ruleset.rules.append(
            FakeRule(
                data["id"], data["title"], Level.parse(data["level"]),
                tuple(data.get("tags", ())), data["contains"],
            )
        )  # fmt: skip
    return ruleset


class FakeEngine:
    def __init__(self, ruleset: FakeRuleSet) -> None:
        if any(rule.contains == "EXPLODE" for rule in ruleset.rules):
            raise RuleError("engine refused the rule set", rule_id="explode")
        self.rules = ruleset.rules

    def report_to(self, on_problem: Callable[[RuleError], None]) -> None:
        """The real engine reports rules it disables; the fake never disables one."""

    def match(self, event: Event) -> list[Detection]:
        message = str(event.fields["msg"])
        return [
            Detection(
                rule_id=rule.rule_id, rule_title=rule.title, level=rule.level, tags=rule.tags,
                timestamp=event.timestamp, source=event.source,
                matched={"msg": message}, event=event,
            )
            for rule in self.rules
            if rule.contains in message
        ]  # fmt: skip


class FakeCorrelator:
    """``{"correlation": RULE, "count": N, "hide_base": bool}``: N detections of RULE fire once."""

    def __init__(self, rules: RuleDigest, on_problem: Callable[[RuleError], None]) -> None:
        self.specs = []
        for spec in rules.correlations:
            if spec["correlation"] in {rule_id for rule_id, _ in rules.rule_refs}:
                self.specs.append(spec)
            else:
                on_problem(RuleError("unknown rule", rule_id=spec["id"]))
        self.seen: dict[str, list[Detection]] = {}
        self.flushed = False

    def feed(self, detection: Detection) -> list[Detection]:
        out = []
        for spec in self.specs:
            if spec["correlation"] != detection.rule_id:
                continue
            seen = self.seen.setdefault(spec["id"], [])
            seen.append(detection)
            if len(seen) == spec["count"]:
                out.append(self._correlation(spec, seen))
        return out

    def flush(self) -> list[Detection]:
        self.flushed = True
        return [
            self._correlation(spec, self.seen.get(spec["id"], []))
            for spec in self.specs
            if spec.get("at_flush")
        ]

    def emits_base(self, rule_id: str, rule_name: str | None = None) -> bool:
        return not any(s["correlation"] == rule_id and s.get("hide_base") for s in self.specs)

    def routes(self, rule_id: str, rule_name: str | None = None) -> bool:
        return any(spec["correlation"] == rule_id for spec in self.specs)

    @staticmethod
    def _correlation(spec: dict[str, Any], seen: list[Detection]) -> Detection:
        return Detection(
            rule_id=spec["id"], rule_title=spec["title"], level=Level.HIGH,
            tags=tuple(spec.get("tags", ())), timestamp=seen[-1].timestamp if seen else None,
            source=None, kind="event_count", count=len(seen),
            events=tuple(d.event for d in seen if d.event is not None),
        )  # fmt: skip


FAKE_STAGES = ScanStages(
    discover=discover,
    iter_records=iter_records,
    normalise=normalise,
    load_rules=load_rules,
    make_engine=FakeEngine,
    make_correlator=FakeCorrelator,
)


def write_rule(directory: Path, rule_id: str, contains: str, **extra: Any) -> Path:
    """Write a fake rule file and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    data = {"id": rule_id, "title": f"Rule {rule_id}", "level": "medium", "contains": contains}
    path = directory / f"{rule_id}.json"
    path.write_text(json.dumps({**data, **extra}), encoding="utf-8")
    return path


def write_log(path: Path, messages: Sequence[str | None]) -> Path:
    """Write a fake log: one event per message, ``None`` for a corrupt line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps({"msg": message, "ts": 1_700_000_000 + n}) if message is not None else "{bad"
        for n, message in enumerate(messages)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
