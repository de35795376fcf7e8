"""The engine: detection content, routing, and prefilter soundness (property-based)."""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.detect.engine import Engine
from shieldwall.detect.sigma.context import EventView
from shieldwall.detect.sigma.regex_literals import required_literal
from shieldwall.model.detection import Level
from shieldwall.model.event import Event, SourceRef
from tests.unit.detect.sigma.conftest import SYSMON, SigmaKit, rule_doc

PROC = {"product": "windows", "category": "process_creation"}


def test_detection_carries_rule_metadata_and_evidence(kit: SigmaKit) -> None:
    ruleset = kit.load(
        rule_doc(
            {
                "s": {"Image|endswith": "\\whoami.exe"},
                "f": {"User": "SYSTEM"},
                "condition": "s and not f",
            },
            PROC,
            title="Whoami",
            level="high",
            tags=["attack.t1033"],
            name="whoami_rule",
            id="77777777-0000-0000-0000-000000000001",
        )
    )
    moment = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    source = SourceRef("x.evtx", 42)
    fields = {"Channel": SYSMON, "EventID": 1, "Image": "C:\\W\\whoami.exe", "User": "bob"}
    (detection,) = Engine(ruleset).match(Event(fields, source, moment, "evtx"))
    assert detection.rule_id == "77777777-0000-0000-0000-000000000001"
    assert detection.rule_title == "Whoami"
    assert detection.rule_name == "whoami_rule"
    assert detection.level is Level.HIGH
    assert detection.tags == ("attack.t1033",)
    assert detection.timestamp == moment
    assert detection.source == source
    assert detection.matched == {"Image": "C:\\W\\whoami.exe"}
    assert detection.event is not None and detection.event.fields is fields
    assert detection.attack == ()


def test_evidence_leaves_out_negated_leaves_that_matched_on_every_detection(
    kit: SigmaKit,
) -> None:
    """The evidence leaves are listed once per rule: a leaf under a negation that matched
    (``User: bob`` in ``not (f and g)``) is never evidence, on the first detection or later."""
    ruleset = kit.load(
        rule_doc(
            {
                "s": {"Image|endswith": "\\whoami.exe"},
                "f": {"User": "bob"},
                "g": {"CommandLine|contains": "/all"},
                "condition": "s and not (f and g)",
            },
            PROC,
        )
    )
    engine = Engine(ruleset)
    for image in ("C:\\a\\whoami.exe", "C:\\b\\WHOAMI.EXE"):
        fields = {"Channel": SYSMON, "EventID": 1, "Image": image, "User": "bob"}
        fields["CommandLine"] = "whoami /priv"
        (detection,) = engine.match(Event(fields, SourceRef("x.evtx"), format="evtx"))
        assert detection.matched == {"Image": image}
    (rule,) = ruleset.rules
    assert [leaf.field for leaf in rule.evidence_leaves] == ["Image"]


def test_security_4688_detection_reports_the_mapped_field(kit: SigmaKit) -> None:
    ruleset = kit.load(rule_doc({"s": {"Image|endswith": "\\whoami.exe"}, "condition": "s"}, PROC))
    fields = {"Channel": "Security", "EventID": 4688, "NewProcessName": "C:\\whoami.exe"}
    (detection,) = Engine(ruleset).match(Event(fields, SourceRef("s.evtx"), format="evtx"))
    assert detection.matched == {"Image": "C:\\whoami.exe"}


texts = st.text(alphabet="abcXYZ\\.-ẞß é1", max_size=12)
needles = st.text(alphabet="abcXYZ\\.-ẞß é1*?", min_size=1, max_size=4)


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(
        st.tuples(
            st.sampled_from(["", "|contains", "|startswith", "|endswith", "|contains|all"]), needles
        ),
        min_size=1,
        max_size=6,
    ),
    events=st.lists(st.fixed_dictionaries({"A": texts, "B": texts}), min_size=1, max_size=5),
    keyword=st.booleans(),
)
def test_prefilter_never_hides_a_match(
    values: list[tuple[str, str]], events: list[dict[str, Any]], keyword: bool
) -> None:
    """The literal index is sound: the engine fires exactly when the rule's test does."""
    docs = []
    for number, (modifier, needle) in enumerate(values):
        field = "B" if number % 2 else "A"
        detection: dict[str, Any] = {"s": {f"{field}{modifier}": needle}, "condition": "s"}
        if keyword and number == 0:
            detection = {"k": [needle], "condition": "k"}
        docs.append(rule_doc(detection))
    with tempfile.TemporaryDirectory() as folder:
        ruleset = SigmaKit(Path(folder)).load(*docs)
    assert len(ruleset.rules) == len(docs)
    engine = Engine(ruleset)
    for fields in events:
        of_test = {"logsource": {"product": "test"}}  # the product rule_doc names
        fired = {d.rule_id for d in engine.match(Event(fields, SourceRef("t"), extra=of_test))}
        expected = {r.rule_id for r in ruleset.rules if r.test(EventView(fields))}
        assert fired == expected


@settings(max_examples=300, deadline=None)
@given(
    pattern=st.from_regex(r"[ab.()|*+?^$]{1,8}", fullmatch=True),
    text=st.text("abAB\n", max_size=10),
)
def test_regex_required_literal_is_in_every_match(pattern: str, text: str) -> None:
    """Soundness of the regex prefilter literal: a match implies the literal occurs."""
    try:
        compiled = re.compile(pattern)
    except re.error:
        return
    literal = required_literal(pattern)
    if compiled.search(text):
        assert literal in text.casefold()
