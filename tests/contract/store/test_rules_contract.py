"""Managed rules on both databases: every change a new version, numbered per rule; the
newest per rule listed; the rule sets' version moves with each change; two writers of one
version leave one and a conflict."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shieldwall.model.errors import ConflictError
from shieldwall.model.rules import CENTRE_SET, NewRuleVersion, RuleChange
from shieldwall.store.sql.store import SqlStore
from shieldwall.store.sql.tables import detection_rules


def _new(
    owner: str, rule_id: str, text: str, change: RuleChange = RuleChange.ADDED
) -> NewRuleVersion:
    return NewRuleVersion(
        owner=owner,
        rule_id=rule_id,
        title=f"title of {rule_id}",
        text=text,
        enabled=change is not RuleChange.DISABLED,
        change=change,
        author="person-1",
    )


def test_versions_are_numbered_per_rule_and_kept(store: SqlStore) -> None:
    with store.transaction() as tx:
        assert tx.rules.set_version() == 0
        first = tx.rules.add(_new(CENTRE_SET, "r1", "a: 1"))
        other = tx.rules.add(_new("alpha", "r1", "b: 1"))
        second = tx.rules.add(_new(CENTRE_SET, "r1", "a: 2", RuleChange.UPDATED))
        third = tx.rules.add(_new(CENTRE_SET, "r1", "a: 2", RuleChange.DISABLED))
    assert (first.version, other.version, second.version, third.version) == (1, 1, 2, 3)
    assert first.seq < other.seq < second.seq < third.seq
    with store.reading() as tx:
        assert tx.rules.set_version() == third.seq
        history = tx.rules.history(CENTRE_SET, "r1")
        latest = tx.rules.latest(CENTRE_SET, "r1")
        everything = tx.rules.current(None)
        alpha_only = tx.rules.current({"alpha"})
    assert [v.change for v in history] == [
        RuleChange.ADDED,
        RuleChange.UPDATED,
        RuleChange.DISABLED,
    ]
    assert [v.text for v in history] == ["a: 1", "a: 2", "a: 2"]
    assert latest is not None and latest.version == 3 and not latest.enabled
    assert [(v.owner, v.rule_id, v.version) for v in everything] == [
        (CENTRE_SET, "r1", 3),
        ("alpha", "r1", 1),
    ]
    assert [v.text for v in alpha_only] == ["b: 1"]
    assert history[0].created_at.tzinfo is not None


def test_a_version_written_twice_is_a_conflict_and_nothing_half_written(store: SqlStore) -> None:
    """What a second writer racing on the same rule does: the unique key refuses it."""
    with store.transaction() as tx:
        tx.rules.add(_new("alpha", "r1", "x: 1"))
    with pytest.raises(ConflictError), store.transaction() as tx:
        tx.rules.add(_new("alpha", "r2", "y: 1"))
        tx.connection.execute(
            detection_rules.insert().values(
                owner="alpha",
                rule_id="r1",
                version=1,
                title="t",
                text="x: 2",
                enabled=True,
                change="added",
                author="someone",
                created_at=datetime.now(UTC),
            )
        )
    with store.reading() as tx:
        assert [v.rule_id for v in tx.rules.current(None)] == ["r1"]
        assert [v.text for v in tx.rules.history("alpha", "r1")] == ["x: 1"]
