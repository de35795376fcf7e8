"""References by id or name (R8), aliases (R12), generate (R13), chaining (R14), errors (R15)."""

from __future__ import annotations

import pytest

from shieldwall.detect.correlate import CorrelationEngine
from shieldwall.model.errors import RuleError
from tests.unit.detect.correlate.correlate_helpers import (
    BASE_PAIRS,
    FAILED,
    NET,
    PROC,
    SUCCESS,
    detection,
    engine_for,
    parse_correlations,
    rule_error,
    run,
)

COUNT_BY = """
title: {title}
id: {id}
name: {name}
correlation:
  type: event_count
  rules: {rules}
  group-by: [User]
  timespan: 60s
  condition: {{gte: 2}}
{extra}
"""


def count_by(rules: str, *, name: str = "c1", uid: str = "", extra: str = "") -> str:
    uid = uid or "aaaaaaaa-0000-4000-8000-000000000001"
    return COUNT_BY.format(title=name, id=uid, name=name, rules=rules, extra=extra)


# --- R8: references by id or by name -------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "detection_rule_id"),
    [
        ("failed_logon", FAILED),  # by name, detection carries the id
        (FAILED, FAILED),  # by id
        (FAILED.upper(), FAILED),  # by id written in upper case
        ("failed_logon", FAILED.upper()),  # detection id in another case
    ],
)
def test_reference_by_id_or_name_reaches_the_rule(reference: str, detection_rule_id: str) -> None:
    engine = engine_for(count_by(f"[{reference}]"))
    fired = run(engine, [detection(detection_rule_id, s, User="a") for s in (0, 1)])
    assert [d.count for d in fired] == [2]


def test_rule_known_by_name_only() -> None:  # R8
    correlations = parse_correlations(count_by("[just_a_name]"), with_base=False)
    engine = CorrelationEngine(correlations, [(None, "just_a_name")])
    first = detection(FAILED, 0, User="a")
    first.rule_id, first.rule_name = "", "just_a_name"
    second = detection(FAILED, 1, User="a")
    second.rule_id, second.rule_name = "", "just_a_name"
    assert [d.count for d in run(engine, [first, second])] == [2]


def test_known_rules_may_be_pysigma_rule_objects() -> None:  # R8
    from sigma.collection import SigmaCollection
    from sigma.rule import SigmaRule

    from tests.unit.detect.correlate.correlate_helpers import BASE_RULES

    base = [r for r in SigmaCollection.from_yaml(BASE_RULES).rules if isinstance(r, SigmaRule)]
    engine = CorrelationEngine(parse_correlations(count_by("[proc_start]")), base)
    assert [d.count for d in run(engine, [detection(PROC, s, User="a") for s in (0, 1)])] == [2]


# --- R12: aliases ------------------------------------------------------------------------

ALIASED = """
title: Failed then success from one address
id: bbbbbbbb-0000-4000-8000-000000000001
correlation:
  type: temporal
  rules: [failed_logon, success_logon]
  group-by: [ip]
  timespan: 60s
  aliases:
    ip:
      failed_logon: IpAddress
      success_logon: ClientAddress
"""


def test_alias_joins_different_field_names() -> None:  # R12
    engine = engine_for(ALIASED)
    fired = run(
        engine,
        [
            detection(FAILED, 0, IpAddress="10.0.0.9"),
            detection(SUCCESS, 5, ClientAddress="10.0.0.9"),
        ],
    )
    assert [(d.group, d.count) for d in fired] == [({"ip": "10.0.0.9"}, 2)]


def test_alias_values_must_agree() -> None:  # R12
    engine = engine_for(ALIASED)
    stream = [
        detection(FAILED, 0, IpAddress="10.0.0.9"),
        detection(SUCCESS, 5, ClientAddress="10.0.0.8"),
    ]
    assert run(engine, stream) == []


def test_alias_is_not_the_event_field_name() -> None:  # R12: "ip" itself is never read
    engine = engine_for(ALIASED)
    stream = [detection(FAILED, 0, ip="10.0.0.9"), detection(SUCCESS, 5, ip="10.0.0.9")]
    assert run(engine, stream) == []
    assert sum(engine.skipped.values()) == 2


def test_alias_in_condition_field() -> None:  # R12 + R2
    document = """
title: Many users, aliased field
id: bbbbbbbb-0000-4000-8000-000000000002
correlation:
  type: value_count
  rules: [failed_logon, success_logon]
  group-by: [Computer]
  timespan: 60s
  aliases:
    user:
      failed_logon: TargetUserName
      success_logon: SubjectUserName
  condition: {gte: 2, field: user}
"""
    engine = engine_for(document)
    stream = [
        detection(FAILED, 0, Computer="h", TargetUserName="alice"),
        detection(SUCCESS, 1, Computer="h", SubjectUserName="bob"),
    ]
    assert [d.count for d in run(engine, stream)] == [2]


# --- R13: generate ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "failed_emitted"),
    [("", False), ("  generate: false", False), ("  generate: true", True)],
)
def test_generate_decides_whether_base_rules_are_emitted(extra: str, failed_emitted: bool) -> None:
    document = count_by("[failed_logon]").replace("  condition:", f"{extra}\n  condition:")
    engine = engine_for(document)
    assert engine.emits_base(FAILED) is failed_emitted
    assert engine.emits_base("failed_logon") is failed_emitted  # by name as well
    assert engine.emits_base(SUCCESS) is True  # not referenced at all


def test_any_correlation_asking_for_generate_keeps_the_rule() -> None:  # R13
    with_generate = count_by("[failed_logon]", name="c1").replace(
        "  condition:", "  generate: true\n  condition:"
    )
    without = count_by("[failed_logon]", name="c2", uid="aaaaaaaa-0000-4000-8000-000000000002")
    engine = engine_for(with_generate + "---\n" + without)
    assert engine.emits_base(FAILED) is True


# --- R14: chaining --------------------------------------------------------------------------

CHAINED = (
    count_by("[failed_logon]", name="burst")
    + """---
title: Bursts from several users
id: cccccccc-0000-4000-8000-000000000001
name: spray
correlation:
  type: value_count
  rules: [burst]
  group-by: [Computer]
  timespan: 10m
  condition: {gte: 2, field: User}
"""
).replace("group-by: [User]", "group-by: [User, Computer]", 1)


def test_correlation_over_correlation_fires() -> None:  # R14
    engine = engine_for(CHAINED)
    stream = [
        detection(FAILED, s, User=u, Computer="h")
        for s, u in [(0, "a"), (1, "a"), (100, "b"), (101, "b")]
    ]
    fired = run(engine, stream)
    assert [(d.rule_name, d.kind, d.group, d.count) for d in fired] == [
        ("spray", "value_count", {"Computer": "h"}, 2)
    ]
    assert len(fired[0].events) == 4  # the base events behind both bursts


def test_inner_correlation_emitted_when_outer_generates() -> None:  # R13 + R14
    engine = engine_for(
        CHAINED.replace(
            "  condition: {gte: 2, field: User}",
            "  generate: true\n  condition: {gte: 2, field: User}",
        )
    )
    stream = [
        detection(FAILED, s, User=u, Computer="h")
        for s, u in [(0, "a"), (1, "a"), (100, "b"), (101, "b")]
    ]
    assert [d.rule_name for d in run(engine, stream)] == ["burst", "burst", "spray"]


def test_chain_order_does_not_depend_on_document_order() -> None:  # R14
    first, second = CHAINED.split("---\n")
    engine = CorrelationEngine(parse_correlations(second + "---\n" + first), BASE_PAIRS)
    assert [spec.name for spec in engine.correlations] == ["burst", "spray"]


# --- R15: errors raised, never silently degraded ---------------------------------------------


def test_cycle_is_refused() -> None:  # R14, R15
    loop = (
        count_by("[b]", name="a")
        + "---\n"
        + count_by("[a]", name="b", uid="aaaaaaaa-0000-4000-8000-000000000002")
    )
    error = rule_error(loop, rules=BASE_PAIRS)
    assert "cycle" in str(error)


def test_self_reference_is_refused() -> None:  # R14, R15
    error = rule_error(count_by("[c1]", name="c1"), rules=BASE_PAIRS)
    assert "cycle" in error.reason and error.rule_id == "aaaaaaaa-0000-4000-8000-000000000001"


@pytest.mark.parametrize(
    ("document", "words"),
    [
        (count_by("[no_such_rule]"), "names no known rule"),
        (
            count_by("[failed_logon]")
            .replace("{gte: 2}", "{gte: 2, field: x, percentile: 200}")
            .replace("event_count", "value_percentile"),
            "percentile 200",
        ),
        (
            count_by("[failed_logon]")
            .replace("{gte: 2}", "{gte: 2, field: x}")
            .replace("event_count", "value_percentile"),
            "needs condition.percentile",
        ),
        (
            count_by("[failed_logon]")
            .replace("{gte: 2}", "{gte: 2, field: [x, y]}")
            .replace("event_count", "value_sum"),
            "exactly one field",
        ),
        (
            count_by("[failed_logon, success_logon]")
            .replace("{gte: 2}", "{lt: 2}")
            .replace("event_count", "temporal_ordered"),
            "not supported for temporal_ordered",
        ),
        (
            count_by("[failed_logon, success_logon]")
            .replace("{gte: 2}", "'failed_logon and not success_logon'")
            .replace("event_count", "temporal"),
            "'not'",
        ),
        (
            count_by("[failed_logon, failed_logon]").replace("event_count", "temporal"),
            "same rule twice",
        ),
        (
            count_by("[failed_logon, success_logon]").replace(
                "  condition:",
                "  aliases:\n    User:\n      failed_logon: TargetUserName\n  condition:",
            ),
            "gives no field for referenced rule",
        ),
    ],
)
def test_bad_correlations_raise_naming_the_correlation(document: str, words: str) -> None:
    error = rule_error(document, rules=BASE_PAIRS)
    assert words in error.reason
    assert error.rule_id == "aaaaaaaa-0000-4000-8000-000000000001"


def test_unsupported_operator_is_refused() -> None:  # R11, R15
    from shieldwall.detect.correlate.condition import Comparison

    with pytest.raises(RuleError, match="between"):
        Comparison.parse("between", 1, owner="x")


def test_problems_collected_and_the_rest_used() -> None:  # R15
    good = count_by("[failed_logon]", name="good", uid="aaaaaaaa-0000-4000-8000-00000000000a")
    bad = count_by("[missing]", name="bad", uid="aaaaaaaa-0000-4000-8000-00000000000b")
    over_bad = count_by("[bad]", name="over_bad", uid="aaaaaaaa-0000-4000-8000-00000000000c")
    problems: list[RuleError] = []
    correlations = parse_correlations(good + "---\n" + bad + "---\n" + over_bad, with_base=False)
    engine = CorrelationEngine(correlations, BASE_PAIRS, on_problem=problems.append)
    assert sorted(p.rule_id[-1] for p in problems) == ["b", "c"]
    assert [spec.name for spec in engine.correlations] == ["good"]
    assert [d.count for d in run(engine, [detection(FAILED, s, User="a") for s in (0, 1)])] == [2]


def test_detection_without_timestamp_is_counted_not_used() -> None:  # R15
    engine = engine_for(count_by("[net_conn]"))
    late = detection(NET, 0, User="a")
    late.timestamp = None
    assert run(engine, [late, detection(NET, 1, User="a")]) == []
    assert engine.skipped["detection without timestamp"] == 1


def test_windows_closed_at_flush_feed_the_correlation_over_them() -> None:  # R14, R11
    inner = count_by("[failed_logon]", name="quiet").replace("{gte: 2}", "{lt: 2}")
    inner = inner.replace("group-by: [User]", "group-by: [User, Computer]")
    outer = """
title: Several quiet users on one host
id: cccccccc-0000-4000-8000-000000000002
name: quiet_host
correlation:
  type: event_count
  rules: [quiet]
  group-by: [Computer]
  timespan: 10m
  condition: {gte: 2}
"""
    engine = engine_for(outer + "---\n" + inner)
    stream = [detection(FAILED, s, User=u, Computer="h") for s, u in [(0, "a"), (1, "b")]]
    assert [engine.feed(item) for item in stream] == [[], []]
    fired = engine.flush()
    assert [(d.rule_name, d.group, d.count) for d in fired] == [
        ("quiet_host", {"Computer": "h"}, 2)
    ]
