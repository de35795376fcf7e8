"""Plain and ECS JSON: flattened to dotted names within bounds; timestamps as UTC."""

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.model.errors import InputError
from shieldwall.model.event import RawRecord, SourceRef
from shieldwall.normalise import normalise
from shieldwall.normalise.flatten import flatten, too_deep
from shieldwall.normalise.limits import MAX_DEPTH, MAX_FIELDS


def _event(payload: dict[str, Any]) -> Any:
    return normalise(RawRecord(SourceRef("e.json", 1), "json", payload))


def test_nested_objects_become_dotted_names_lists_stay_lists() -> None:
    event = _event(
        {
            "@timestamp": "2024-02-03T04:05:06Z",
            "source": {"ip": "10.0.0.1", "port": 4444},
            "dns": {"question": {"name": "evil.example"}, "answers": [{"data": "1.2.3.4"}]},
            "tags": ["a", "b"],
            "empty": {},
        }
    )
    assert event.fields == {
        "@timestamp": "2024-02-03T04:05:06Z",
        "source.ip": "10.0.0.1",
        "source.port": 4444,
        "dns.question.name": "evil.example",
        "dns.answers": [{"data": "1.2.3.4"}],
        "tags": ["a", "b"],
        "query": "evil.example",
        "answer": ["1.2.3.4"],
        "src_ip": "10.0.0.1",
        "src_port": 4444,
    }
    assert event.timestamp == datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert event.format == "json"


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"timestamp": "2024-02-03T05:05:06+01:00"}, datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)),
        ({"time": 0}, datetime(1970, 1, 1, tzinfo=UTC)),
        ({"@timestamp": "not a time"}, None),
        ({"@timestamp": "0001-01-01T00:00:00+01:00"}, None),
        ({"@timestamp": "9999-12-31T23:00:00-05:00"}, None),
        ({"other": 1}, None),
    ],
)
def test_timestamp_is_found_and_made_utc(payload: dict[str, Any], expected: Any) -> None:
    assert _event(payload).timestamp == expected


def test_nesting_past_the_limit_is_an_input_error() -> None:
    deep: dict[str, Any] = {"leaf": 1}
    for _ in range(MAX_DEPTH + 1):
        deep = {"x": deep}
    with pytest.raises(InputError, match="nested deeper"):
        _event(deep)


@pytest.mark.parametrize(
    ("levels", "deep"), [(0, False), (MAX_DEPTH, False), (MAX_DEPTH + 1, True)]
)
def test_too_deep_counts_levels_without_recursion(levels: int, deep: bool) -> None:
    value: Any = 1
    for _ in range(levels):
        value = [{"a": value}] if levels % 2 else [value]
    assert too_deep(value) is deep
    assert too_deep(orjson.loads(b"[" * 1023 + b"]" * 1023)) is True


def test_too_many_fields_is_an_input_error() -> None:
    with pytest.raises(InputError, match="more than"):
        _event({f"k{i}": i for i in range(MAX_FIELDS + 1)})


KEYS = st.text(alphabet="abcxyz_", min_size=1, max_size=5)
LEAVES = st.none() | st.booleans() | st.integers() | st.text(max_size=5)


@given(st.dictionaries(KEYS, st.dictionaries(KEYS, LEAVES, min_size=1, max_size=4), max_size=4))
def test_flatten_round_trips_two_levels(nested: dict[str, dict[str, Any]]) -> None:
    flat = flatten(nested)
    rebuilt: dict[str, dict[str, Any]] = {}
    for name, value in flat.items():
        outer, inner = name.split(".")
        rebuilt.setdefault(outer, {})[inner] = value
    assert rebuilt == nested
