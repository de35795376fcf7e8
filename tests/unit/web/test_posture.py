"""The overview's threat-level history: each scope's level at the end of each day."""

from __future__ import annotations

from datetime import UTC, date, datetime

from shieldwall.model.posture import PostureEntry, ScopeKind
from shieldwall.web.posture import levels_by_day, scope_name, step_chart


def _change(n: int, kind: ScopeKind, key: str, level: int, at: datetime) -> PostureEntry:
    return PostureEntry(id=n, kind=kind, key=key, level=level, previous=None, score=None, at=at)


def test_a_level_holds_from_its_change_until_the_next() -> None:
    axis = [date(2026, 12, d) for d in (1, 2, 3, 4)]
    changes = [
        _change(1, ScopeKind.MEMBER, "alpha", 3, datetime(2026, 12, 2, 10, tzinfo=UTC)),
        _change(2, ScopeKind.COALITION, "*", 2, datetime(2026, 11, 20, tzinfo=UTC)),
        _change(3, ScopeKind.MEMBER, "alpha", 2, datetime(2026, 12, 4, 23, 59, tzinfo=UTC)),
        _change(4, ScopeKind.MEMBER, "alpha", 5, datetime(2026, 12, 5, 0, 1, tzinfo=UTC)),
    ]
    series = levels_by_day(changes, axis)
    assert series == {"member alpha": [0, 3, 3, 2], "coalition": [2, 2, 2, 2]}


def test_scopes_are_named_for_people() -> None:
    at = datetime(2026, 12, 1, tzinfo=UTC)
    assert scope_name(_change(1, ScopeKind.SECTOR, "energy", 1, at)) == "sector energy"
    assert scope_name(_change(1, ScopeKind.COALITION, "*", 1, at)) == "coalition"


def test_the_chart_names_the_levels_and_escapes_scope_names() -> None:
    axis = [date(2026, 12, 1), date(2026, 12, 2)]
    chart = str(step_chart("Threat level", axis, {"member <b>": [0, 4]}))
    assert 'id="posture-chart-t"' in chart and ">severe<" in chart and ">low<" in chart
    assert "<b>" not in chart and "&lt;b&gt;" in chart
    assert chart.count("<polyline") == 1  # one scope, drawn from its first level on
    assert "1 scope(s) over 2 days" in chart
