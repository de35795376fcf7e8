"""Structure-aware mutations: hostile values put where a parser expects something else.

A parsed record (a JSON object) gets up to four of its nodes replaced: by nesting deep
enough to exhaust a recursive walk (orjson accepts 1,024 levels; Python's stack ends near
1,000), by a value of another shape (text where an object was, an object where text was,
``#attributes`` that are not an object), or by an extreme scalar (timestamps outside
datetime's range, 20-digit numbers, 100,000 characters). Text is mutated by replacing every
timestamp in it with one out-of-range or impossible moment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson
from hypothesis import strategies as st

DEEP_LEVELS = (33, 500, 990, 1000, 1023, 1100)
EXTREME_TIMES = (
    "0001-01-01T00:00:00+01:00",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59-01:00",
    "9999-12-31T23:59:59.9999999Z",
    "2024-02-30T00:00:00Z",
    "2024-03-01T24:00:00Z",
    "2024-03-01T12:00:00+24:00",
    "Feb 29 12:00:00",
    "Feb 30 12:00:00",
    "Dec 31 23:59:60",
    "1e400",
    "-1",
    "99999999999999999999",
    "-62135596801",
    "253402300800",
    "nan",
    "",
)
ODD_SHAPES: tuple[Any, ...] = (
    None,
    True,
    0,
    -1,
    2**63 - 1,
    1.5e308,
    "",
    "-",
    "0x",
    "x" * 100_000,
    [],
    {},
    ["a", 1, None, {"b": []}],
    {"#text": [["x"]]},
    {"#text": {"#text": "x"}},
    {"#attributes": "x"},
    {"#attributes": [1]},
    {"#attributes": {"Name": {"x": 1}}},
    *EXTREME_TIMES,
)
TIMESTAMP = re.compile(
    rb"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
    rb"|[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}"
    rb"|\b1\d{9}(?:\.\d+|\d{3})?\b"
)


@dataclass(frozen=True, slots=True)
class Deep:
    """A list or object nested ``levels`` deep; a marker until written out or built.

    orjson writes at most 254 levels and Python's own recursion stops near 1,000, so the
    value is written as text by :func:`dumps` and built by a loop in :meth:`build`.
    """

    levels: int
    kind: str

    def text(self) -> bytes:
        opening, closing = (b"[", b"]") if self.kind == "list" else (b'{"a":', b"}")
        return opening * self.levels + b"1" + closing * self.levels

    def build(self) -> Any:
        value: Any = 1
        for _ in range(self.levels):
            value = [value] if self.kind == "list" else {"a": value}
        return value


def dumps(record: Any) -> bytes:
    """JSON text for a (mutated) record, its :class:`Deep` markers written out in place."""
    markers: list[Deep] = []

    def default(item: Any) -> str:
        if not isinstance(item, Deep):
            raise TypeError(type(item).__name__)
        markers.append(item)
        return f"\x00deep{len(markers) - 1}\x00"

    text = orjson.dumps(record, default=default)
    for index, marker in enumerate(markers):
        text = text.replace(orjson.dumps(f"\x00deep{index}\x00"), marker.text())
    return text


def built(record: Any) -> Any:
    """The record with its :class:`Deep` markers built into real nested values."""
    if isinstance(record, Deep):
        return record.build()
    if type(record) is dict:
        return {key: built(child) for key, child in record.items()}
    if type(record) is list:
        return [built(child) for child in record]
    return record


def paths(node: Any) -> list[tuple[Any, ...]]:
    """Every node's path (keys and indices), the root's included, found without recursion."""
    found: list[tuple[Any, ...]] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(node, ())]
    while stack:
        item, path = stack.pop()
        found.append(path)
        if type(item) is dict:
            stack.extend((child, (*path, key)) for key, child in item.items())
        elif type(item) is list:
            stack.extend((child, (*path, index)) for index, child in enumerate(item))
    return sorted(found, key=repr)


def replaced(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of ``node`` with the value at ``path`` replaced (copied along the path only)."""
    if not path:
        return value
    copy: Any = dict(node) if type(node) is dict else list(node)
    copy[path[0]] = replaced(node[path[0]], path[1:], value)
    return copy


def hostile_values(max_levels: int) -> st.SearchStrategy[Any]:
    """Deep nesting (up to ``max_levels``), odd shapes and extreme scalars."""
    levels = [n for n in DEEP_LEVELS if n <= max_levels]
    nesting = st.builds(Deep, st.sampled_from(levels), st.sampled_from(["list", "object"]))
    return nesting | st.sampled_from(ODD_SHAPES)


@st.composite
def mutated_object(draw: st.DrawFn, record: dict[str, Any], max_levels: int = 1100) -> Any:
    """``record`` with one to four nodes replaced by hostile values (:class:`Deep` markers)."""
    out: Any = record
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(paths(out)))
        out = replaced(out, path, draw(hostile_values(max_levels)))
    return out


@st.composite
def retimed(draw: st.DrawFn, sample: bytes) -> bytes:
    """Every timestamp in ``sample`` replaced by one extreme or impossible moment."""
    moment = draw(st.sampled_from(EXTREME_TIMES)).encode()
    return TIMESTAMP.sub(moment, sample)
