"""Field tests for each Sigma value type: strings, numbers, null, regex, CIDR, comparisons,
time parts, ``exists`` and ``fieldref``.

Each builder returns a closure over one field name. Multi-valued event fields (lists)
match when any element does.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sigma.types import CompareOperators, SigmaRegularExpression, TimestampPart

from shieldwall.bounded import compile_member_regex
from shieldwall.detect.sigma.context import MISSING, EventView, Text
from shieldwall.model.errors import InputError, RuleError

Test = Callable[[EventView], bool]
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
TextTest = Callable[[str], bool]


def _any_text(text: Text | None, test: TextTest) -> bool:
    if text is None:
        return False
    if type(text) is str:
        return test(text)
    return any(test(item) for item in text)


def text_test(field: str | None, test: TextTest, *, cased: bool) -> Test:
    """Apply a string test to the field's (case-folded unless ``cased``) text."""
    if field is None:
        if cased:
            return lambda view: any(test(text) for text in view.all_text())
        return lambda view: any(test(text) for text in view.all_folded())
    if cased:
        return lambda view: _any_text(view.text(field), test)

    def folded_test(view: EventView) -> bool:
        text = view.folds[field]
        if type(text) is str:
            return test(text)
        return _any_text(text, test)

    return folded_test


def _scalars(value: Any) -> Iterable[Any]:
    if isinstance(value, list | tuple):
        return value
    return (value,)


def as_number(value: Any) -> float | int | None:
    """A numeric reading of an event value (``"4688"`` and ``4688`` alike), or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return float(text)
        except ValueError:
            return None
    return None


def number_test(field: str, numbers: frozenset[int | float]) -> Test:
    """Numeric equality with coercion: 4688 matches "4688" and 4688.0."""

    def test(view: EventView) -> bool:
        raw = view.fields.get(field, MISSING)
        if type(raw) is int:
            return raw in numbers
        if type(raw) is str:  # EventData values are text ("3"): skip the generic path
            return as_number(raw) in numbers
        return any(as_number(item) in numbers for item in _scalars(raw) if item is not MISSING)

    return test


def null_test(field: str) -> Test:
    """``field: null``: the field is absent or null."""
    return lambda view: view.fields.get(field) is None


def bool_test(field: str, expected: bool) -> Test:
    """A boolean: a JSON bool, or the text ``true``/``false`` in any case."""
    text = "true" if expected else "false"

    def test(view: EventView) -> bool:
        for item in _scalars(view.raw(field)):
            if isinstance(item, bool) and item is expected:
                return True
            if isinstance(item, str) and item.strip().casefold() == text:
                return True
        return False

    return test


def regex_flags(value: SigmaRegularExpression) -> int:
    """Python ``re`` flags for the ``i``/``m``/``s`` modifiers."""
    flags = 0
    for flag in value.flags:
        flags |= SigmaRegularExpression.sigma_to_python_flags[flag]
    return flags


def regex_test(field: str | None, source: str, flags: int) -> Test:
    """``re`` (with ``i``/``m``/``s`` flags): a case-sensitive search unless ``i``.

    The expression is another member's: it runs on RE2 (linear time) or, for what RE2
    lacks, under a time budget (:mod:`shieldwall.bounded.patterns`), and a search past the
    budget raises :class:`BudgetExceededError` for the engine to disable the rule.
    """
    try:
        compiled = compile_member_regex(source, flags)
    except InputError as exc:
        raise RuleError(exc.reason) from exc
    return text_test(field, compiled.search, cased=True)


ParsedAddress = tuple[int, int]
"""An address as (IP version, integer value)."""
MAX_PARSED_ADDRESSES = 4096
"""Addresses kept parsed (bounds memory: the values come from the logs)."""
_parsed: dict[str, ParsedAddress | None] = {}


def parsed_address(text: str) -> ParsedAddress | None:
    """The address a value holds, or None; parsed once per distinct value, not once per test.

    A rule lists many networks (SigmaHQ's "Failed Logon From Public IP" has 16, each its own
    test), and logs repeat few addresses: parsing them was the costliest rule of the EVTX
    corpus (13 us an event). The cache is emptied when full.
    """
    if text in _parsed:
        return _parsed[text]
    parsed: ParsedAddress | None
    try:
        address = ipaddress.ip_address(text.strip())
        parsed = (address.version, int(address))
    except ValueError:
        parsed = None
    if len(_parsed) >= MAX_PARSED_ADDRESSES:
        _parsed.clear()
    _parsed[text] = parsed
    return parsed


def cidr_test(field: str, network: IPNetwork) -> Test:
    """``cidr``: the value is an IPv4/IPv6 address inside the network.

    The test :meth:`IPv4Network.__contains__` makes, on integers: same version, and the
    address masked is the network address.
    """
    version, mask = network.version, int(network.netmask)
    start = int(network.network_address)

    def inside(text: str) -> bool:
        parsed = parsed_address(text)
        return parsed is not None and parsed[0] == version and parsed[1] & mask == start

    return lambda view: _any_text(view.text(field), inside)


_COMPARE: dict[CompareOperators, Callable[[float, float], bool]] = {
    CompareOperators.LT: lambda a, b: a < b,
    CompareOperators.LTE: lambda a, b: a <= b,
    CompareOperators.GT: lambda a, b: a > b,
    CompareOperators.GTE: lambda a, b: a >= b,
    CompareOperators.NEQ: lambda a, b: a != b,
}


def compare_test(field: str, op: CompareOperators, bound: float) -> Test:
    """``lt lte gt gte``: numeric comparison; a non-numeric value never matches."""
    compare = _COMPARE[op]

    def test(view: EventView) -> bool:
        for item in _scalars(view.raw(field)):
            number = as_number(item) if item is not MISSING else None
            if number is not None and compare(number, bound):
                return True
        return False

    return test


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


_TIME_PARTS: dict[TimestampPart, Callable[[datetime], int]] = {
    TimestampPart.MINUTE: lambda moment: moment.minute,
    TimestampPart.HOUR: lambda moment: moment.hour,
    TimestampPart.DAY: lambda moment: moment.day,
    TimestampPart.WEEK: lambda moment: moment.isocalendar().week,
    TimestampPart.MONTH: lambda moment: moment.month,
    TimestampPart.YEAR: lambda moment: moment.year,
}


def timestamp_test(field: str, timestamp_part: TimestampPart, expected: int) -> Test:
    """``minute hour day week month year``: a part of a date, as written (no TZ change)."""
    part = _TIME_PARTS[timestamp_part]

    def test(view: EventView) -> bool:
        for item in _scalars(view.raw(field)):
            moment = _as_datetime(item)
            if moment is not None and part(moment) == expected:
                return True
        return False

    return test


def exists_test(field: str, expected: bool) -> Test:
    """``exists``: the field is (or is not) present with a non-null value."""
    return lambda view: (view.fields.get(field) is not None) is expected


def fieldref_test(field: str, other: str, starts: bool, ends: bool) -> Test:
    """``fieldref`` (+ ``startswith``/``endswith``/``contains``): compare two fields."""

    def related(mine: str, theirs: str) -> bool:
        if starts and ends:
            return theirs in mine
        if starts:
            return mine.startswith(theirs)
        if ends:
            return mine.endswith(theirs)
        return mine == theirs

    def test(view: EventView) -> bool:
        theirs = view.folded(other)
        if theirs is None:
            return False
        references = (theirs,) if type(theirs) is str else theirs
        return _any_text(view.folded(field), lambda mine: any(related(mine, t) for t in references))

    return test
