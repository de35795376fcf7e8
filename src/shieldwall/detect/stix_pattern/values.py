"""Predicates of STIX comparisons, with ``stix2-matcher``'s typing rules.

A literal compares only with a value of its own kind: numbers (integers and reals mix)
with numbers, text with text, booleans with booleans, timestamps with timestamps or with
text that reads as one. Anything else is unequal and unordered, so ``!=`` holds and ``<``
does not. ``LIKE`` and ``MATCHES`` run on RE2 (:func:`shieldwall.bounded.compile_member_regex`)
because the expression is the indicator producer's, never Python's backtracking ``re``.
Hex and binary literals (``h'…'``, ``b'…'``) are kept as bytes: JSON never holds bytes, so
they match nothing (``stix2-matcher`` decodes ``_hex``/``_bin`` properties; events have none).
"""

from __future__ import annotations

import ipaddress
import unicodedata
from datetime import UTC, datetime

from shieldwall.bounded import compile_member_regex
from shieldwall.detect.stix_pattern.nodes import Predicate
from shieldwall.model.errors import InputError

Literal = str | int | float | bool | datetime | bytes


def kind_of(value: object) -> str | None:
    """The comparison kind of a value, None for values nothing compares with."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "num"
    if isinstance(value, str):
        return "str"
    if isinstance(value, datetime):
        return "time"
    if isinstance(value, bytes):
        return "bytes"
    return None


def _as_time(value: object, literal: Literal) -> object:
    """Text read as a timestamp when the literal is one (None when unreadable)."""
    if isinstance(literal, datetime) and isinstance(value, str):
        return parse_time(value)
    return value


def parse_time(text: str) -> datetime | None:
    """An RFC 3339 timestamp in UTC (None when it is not one)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def equal(value: object, literal: Literal) -> bool:
    """``=``: same kind and same value."""
    value = _as_time(value, literal)
    kind = kind_of(literal)
    return kind is not None and kind_of(value) == kind and value == literal


def order(value: object, literal: Literal, operator: str) -> bool:
    """``<``, ``<=``, ``>``, ``>=`` between values of one orderable kind."""
    value = _as_time(value, literal)
    kind = kind_of(literal)
    if kind not in {"num", "str", "time"} or kind_of(value) != kind:
        return False
    if operator == "<":
        return value < literal  # type: ignore[operator]
    if operator == "<=":
        return value <= literal  # type: ignore[operator]
    if operator == ">":
        return value > literal  # type: ignore[operator]
    return value >= literal  # type: ignore[operator]


def member_of(values: tuple[Literal, ...]) -> Predicate:
    """``IN``: Python's ``in`` over the literals, as ``stix2-matcher`` does."""
    times = bool(values) and all(isinstance(item, datetime) for item in values)

    def test(value: object) -> bool:
        if times and isinstance(value, str):
            value = parse_time(value)
        try:
            return value in values
        except TypeError:
            return False

    return test


def like(pattern: str) -> Predicate:
    """``LIKE``: ``%`` any run, ``_`` one character, the whole value (on RE2)."""
    parts = []
    for char in pattern:
        if char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(char if char.isalnum() else "\\" + char)
    return _text_test("".join(parts), whole=True)


def matches(expression: str) -> Predicate:
    """``MATCHES``: the expression found anywhere in the value (on RE2)."""
    return _text_test(unicodedata.normalize("NFC", expression), whole=False)


def _text_test(expression: str, *, whole: bool) -> Predicate:
    try:
        compiled = compile_member_regex(expression)
    except InputError:
        raise
    except Exception as exc:  # a bad expression is a bad pattern, whatever the engine says
        raise InputError(f"unreadable expression in pattern: {exc}") from exc
    if compiled.engine != "re2":
        raise InputError("pattern expression needs features RE2 does not run in linear time")
    run = compiled.fullmatch if whole else compiled.search

    def test(value: object) -> bool:
        return isinstance(value, str) and run(unicodedata.normalize("NFC", value))

    return test


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def subset(block: str) -> Predicate:
    """``ISSUBSET``: the observed address or block lies inside ``block``."""
    outer = _network(block)

    def test(value: object) -> bool:
        inner = _network(value) if isinstance(value, str) else None
        return _inside(inner, outer)

    return test


def superset(block: str) -> Predicate:
    """``ISSUPERSET``: the observed block holds ``block``."""
    inner = _network(block)

    def test(value: object) -> bool:
        outer = _network(value) if isinstance(value, str) else None
        return _inside(inner, outer)

    return test


def _inside(
    inner: ipaddress.IPv4Network | ipaddress.IPv6Network | None,
    outer: ipaddress.IPv4Network | ipaddress.IPv6Network | None,
) -> bool:
    if inner is None or outer is None or inner.version != outer.version:
        return False
    return inner.subnet_of(outer)  # type: ignore[arg-type]
