"""Loading: every problem reported in one pass, selection, filters (F1–F4), correlations."""

from __future__ import annotations

from pathlib import Path

from shieldwall.detect.engine import Engine
from shieldwall.detect.sigma.loader import RuleSelection, load_rules
from shieldwall.model.detection import Level
from tests.unit.detect.sigma.conftest import SigmaKit, event, rule_doc

GOOD = {"s": {"A": "a1"}, "condition": "s"}


def test_every_failure_reported_and_the_rest_loaded(kit: SigmaKit) -> None:
    kit.write(rule_doc(GOOD), name="good.yml")
    kit.write("title: [unclosed\n", name="broken_yaml.yml")
    kit.write(
        rule_doc(
            {"s": {"A|nomod": "x"}, "condition": "s"}, id="33333333-0000-0000-0000-000000000001"
        ),
        name="bad_mod.yml",
    )
    kit.write(rule_doc({"s": {"A": "x"}, "condition": "s and missing"}), name="bad_cond.yml")
    kit.write({"title": "no detection", "logsource": {"product": "x"}}, name="nodet.yaml")
    (kit.folder / "sub").mkdir()
    kit.write(rule_doc(GOOD), rule_doc(GOOD), name="sub/multi.yml")
    ruleset = load_rules([kit.folder, kit.folder / "absent.yml"])
    assert len(ruleset.rules) == 3
    assert ruleset.files_read == 6
    by_file = {Path(p.source).name: p for p in ruleset.problems}
    assert set(by_file) == {
        "broken_yaml.yml",
        "bad_mod.yml",
        "bad_cond.yml",
        "nodet.yaml",
        "absent.yml",
    }
    assert by_file["bad_mod.yml"].rule_id == "33333333-0000-0000-0000-000000000001"
    assert "nomod" in by_file["bad_mod.yml"].reason
    assert "missing" in by_file["bad_cond.yml"].reason
    assert "YAML" in by_file["broken_yaml.yml"].reason


def test_selection_by_level_status_tag_and_id(kit: SigmaKit) -> None:
    kit.write(
        rule_doc(
            GOOD,
            level="high",
            status="stable",
            tags=["attack.t1059.001"],
            id="44444444-0000-0000-0000-000000000001",
        )
    )
    kit.write(rule_doc(GOOD, level="low", status="test", tags=["attack.t1003"], name="low_rule"))
    both = [kit.folder]
    assert {
        r.level for r in load_rules(both, selection=RuleSelection(min_level=Level.MEDIUM)).rules
    } == {Level.HIGH}
    assert [
        r.status
        for r in load_rules(both, selection=RuleSelection(statuses=frozenset({"test"}))).rules
    ] == ["test"]
    assert [
        r.tags
        for r in load_rules(both, selection=RuleSelection(tags=frozenset({"attack.t1059*"}))).rules
    ] == [("attack.t1059.001",)]
    assert [
        r.name
        for r in load_rules(both, selection=RuleSelection(rule_ids=frozenset({"low_rule"}))).rules
    ] == ["low_rule"]
    assert [
        r.level
        for r in load_rules(both, selection=RuleSelection(levels=frozenset({Level.LOW}))).rules
    ] == [Level.LOW]


def test_F1_to_F4_filter_applied_as_and_not(kit: SigmaKit) -> None:
    target = rule_doc(
        {"s": {"Image|endswith": "\\cmd.exe"}, "condition": "s"},
        logsource={"product": "windows", "category": "process_creation"},
        name="cmd_rule",
    )
    other = rule_doc(
        {"s": {"Image|endswith": "\\cmd.exe"}, "condition": "s"},
        logsource={"product": "windows", "category": "process_creation"},
    )
    sigma_filter = {
        "title": "ignore admins",
        "id": "55555555-0000-0000-0000-000000000001",
        "logsource": {"product": "windows", "category": "process_creation"},
        "filter": {
            "rules": ["cmd_rule"],
            "selection": {"User|startswith": "adm_"},
            "condition": "not selection",
        },
    }
    ruleset = kit.load(target, other, sigma_filter)
    assert not ruleset.problems
    engine = Engine(ruleset)
    fields = {
        "Channel": "Microsoft-Windows-Sysmon/Operational",
        "EventID": 1,
        "Image": "C:\\cmd.exe",
    }
    admin = engine.match(event({**fields, "User": "adm_joe"}, "evtx"))
    user = engine.match(event({**fields, "User": "joe"}, "evtx"))
    assert [d.rule_name for d in admin] == [None]
    assert sorted(str(d.rule_name) for d in user) == ["None", "cmd_rule"]


def test_F_filter_naming_no_rule_is_reported(kit: SigmaKit) -> None:
    ruleset = kit.load(
        rule_doc(GOOD),
        {
            "title": "orphan",
            "logsource": {"product": "test"},
            "filter": {
                "rules": ["nonexistent"],
                "selection": {"A": "x"},
                "condition": "not selection",
            },
        },
    )
    assert len(ruleset.rules) == 1
    assert any("no loaded rule" in p.reason for p in ruleset.problems)


def test_correlations_passed_through_and_base_rules_resolved_by_name(kit: SigmaKit) -> None:
    base = rule_doc(GOOD, name="base_by_name", level="low")
    correlation = {
        "title": "many",
        "id": "66666666-0000-0000-0000-000000000001",
        "level": "high",
        "correlation": {
            "type": "event_count",
            "rules": ["base_by_name"],
            "group-by": ["A"],
            "timespan": "5m",
            "condition": {"gte": 3},
        },
    }
    ruleset = kit.load(base, correlation, selection=RuleSelection(min_level=Level.HIGH))
    assert not ruleset.problems
    assert len(ruleset.correlations) == 1
    assert [r.name for r in ruleset.rules] == ["base_by_name"]  # kept for the correlation
    assert ruleset.correlations[0].rules[0].rule is ruleset.rules[0].sigma


def test_correlation_to_missing_rule_is_reported(kit: SigmaKit) -> None:
    ruleset = kit.load(
        {
            "title": "dangling",
            "correlation": {
                "type": "event_count",
                "rules": ["ghost"],
                "group-by": ["A"],
                "timespan": "5m",
                "condition": {"gte": 3},
            },
        }
    )
    assert ruleset.correlations == []
    assert any("ghost" in p.reason for p in ruleset.problems)
