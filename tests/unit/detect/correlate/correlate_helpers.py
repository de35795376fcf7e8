"""Small builders for correlation tests: base rules, correlation YAML, detections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule

from shieldwall.detect.correlate import CorrelationEngine
from shieldwall.model.detection import Detection, Level
from shieldwall.model.errors import RuleError
from shieldwall.model.event import Event, SourceRef

T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)

FAILED = "0e95725d-7320-415d-80f7-004da920fc11"
SUCCESS = "4d0a2c83-c62c-4ed4-b475-c7e23a9269b8"
PROC = "f2b7ad7d-6c6e-4d6e-9b54-0a6fd8a3c5a1"
NET = "5f4c1a8e-2b7e-4f44-8d55-3f1c8a1d9b77"

BASE_RULES = f"""
title: Failed logon
id: {FAILED}
name: failed_logon
logsource: {{product: windows, service: security}}
detection: {{sel: {{EventID: 4625}}, condition: sel}}
---
title: Successful logon
id: {SUCCESS}
name: success_logon
logsource: {{product: windows, service: security}}
detection: {{sel: {{EventID: 4624}}, condition: sel}}
---
title: Process started
id: {PROC}
name: proc_start
logsource: {{product: windows, category: process_creation}}
detection: {{sel: {{Image|endswith: '.exe'}}, condition: sel}}
---
title: Network connection
id: {NET}
name: net_conn
logsource: {{product: windows, category: network_connection}}
detection: {{sel: {{Initiated: 'true'}}, condition: sel}}
"""

RULE_NAMES = {FAILED: "failed_logon", SUCCESS: "success_logon", PROC: "proc_start", NET: "net_conn"}
BASE_PAIRS: list[tuple[str, str]] = list(RULE_NAMES.items())


def parse_correlations(yaml_text: str, *, with_base: bool = True) -> list[SigmaCorrelationRule]:
    """Parse correlation documents with pySigma (optionally next to the base rules)."""
    text = BASE_RULES + "---\n" + yaml_text if with_base else yaml_text
    collection = SigmaCollection.from_yaml(text, resolve_references=with_base)
    return [rule for rule in collection.rules if isinstance(rule, SigmaCorrelationRule)]


def engine_for(yaml_text: str, **options: Any) -> CorrelationEngine:
    """A CorrelationEngine over the base rules and the given correlation documents."""
    return CorrelationEngine(parse_correlations(yaml_text), BASE_PAIRS, **options)


def detection(rule_id: str, seconds: float, **fields: Any) -> Detection:
    """A base-rule detection at T0 + seconds with the given event fields."""
    moment = T0 + timedelta(seconds=seconds)
    source = SourceRef("test.evtx", int(seconds * 1000))
    return Detection(
        rule_id=rule_id,
        rule_title=RULE_NAMES.get(rule_id, rule_id),
        rule_name=RULE_NAMES.get(rule_id),
        level=Level.MEDIUM,
        tags=(),
        timestamp=moment,
        source=source,
        event=Event(fields=dict(fields), source=source, timestamp=moment, format="evtx"),
    )


def run(engine: CorrelationEngine, detections: list[Detection]) -> list[Detection]:
    """Feed every detection, then flush; return every correlation detection in order."""
    fired: list[Detection] = []
    for item in detections:
        fired.extend(engine.feed(item))
    fired.extend(engine.flush())
    return fired


def rule_error(yaml_text: str, *, rules: list[tuple[str, str]] | None = None) -> RuleError:
    """The RuleError building an engine raises (the test fails if none is raised)."""
    correlations = parse_correlations(yaml_text, with_base=rules is None)
    try:
        CorrelationEngine(correlations, BASE_PAIRS if rules is None else rules)
    except RuleError as error:
        return error
    raise AssertionError("expected a RuleError")
