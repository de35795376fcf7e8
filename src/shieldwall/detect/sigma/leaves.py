"""Leaves built from plain specs: what a compiled test is made of, in JSON-safe values.

Compiled tests are closures and cannot be stored, but what they are built from can: a
leaf spec is a small dict (kind, field, the values pySigma gave after modifiers and
placeholders). The compiler (:mod:`.values`) builds every leaf through :func:`build_leaf`,
and the rule cache (:mod:`.cache`) rebuilds leaves from stored specs the same way, so a
warm load cannot differ from a cold one. A spec that is malformed raises
:class:`~shieldwall.model.errors.RuleError` (the cache then ignores its entry).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from typing import Any

from sigma.types import CompareOperators, TimestampPart

from shieldwall.detect.sigma import typed
from shieldwall.detect.sigma.nodes import Leaf
from shieldwall.detect.sigma.strings import StringPattern, any_pattern_test
from shieldwall.model.errors import RuleError

Spec = dict[str, Any]
"""``{"k": kind, "f": field or None, ...}``; see the builders for each kind's keys."""

UNINDEXED_FIELDS = frozenset({"EventID", "Channel"})
"""Fields the router already constrains: useless as prefilter literals."""

PATTERN_KINDS = frozenset({"exact", "prefix", "suffix", "contains", "glob"})


def _strings(field: str | None, spec: Mapping[str, Any]) -> Leaf:
    patterns = [_pattern(item) for item in spec["p"]]
    cased = bool(spec["c"])
    literals = None if field in UNINDEXED_FIELDS else frozenset(p.literal for p in patterns)
    return Leaf(field, typed.text_test(field, any_pattern_test(patterns), cased=cased), literals)


def _pattern(item: Any) -> StringPattern:
    kind, text, literal = item
    if kind not in PATTERN_KINDS or not isinstance(text, str) or not isinstance(literal, str):
        raise RuleError(f"bad string pattern {item!r}")
    return StringPattern(kind, text, literal)


def _numbers(field: str | None, spec: Mapping[str, Any]) -> Leaf:
    numbers = frozenset(_number(n) for n in spec["n"])
    literals = frozenset(str(n) for n in numbers)
    if field is None:
        texts = frozenset(str(n) for n in numbers)
        keyword: Callable[[str], bool] = lambda text: any(t in text for t in texts)  # noqa: E731
        return Leaf(None, typed.text_test(None, keyword, cased=False), literals)
    ids = None
    if field == "EventID" and all(type(n) is int for n in numbers):
        ids = frozenset(int(n) for n in numbers)
    index_literals = None if field in UNINDEXED_FIELDS else literals
    return Leaf(field, typed.number_test(field, numbers), index_literals, ids)


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleError(f"bad number {value!r}")
    return value


def _null(field: str | None, spec: Mapping[str, Any]) -> Leaf:
    if field is None:
        raise RuleError("a null value must be bound to a field")
    return Leaf(field, typed.null_test(field))


def _regex(field: str | None, spec: Mapping[str, Any]) -> Leaf:
    literal = str(spec["l"])
    literals = frozenset({literal}) if literal and field not in UNINDEXED_FIELDS else None
    return Leaf(field, typed.regex_test(field, str(spec["r"]), int(spec["fl"])), literals)


def _bound(field: str | None) -> str:
    if field is None:
        raise RuleError("this value must be bound to a field")
    return field


def _field_only(field: str | None, spec: Mapping[str, Any]) -> Leaf:
    name, kind = _bound(field), spec["k"]
    if kind == "bool":
        test = typed.bool_test(name, bool(spec["v"]))
    elif kind == "cidr":
        test = typed.cidr_test(name, ipaddress.ip_network(str(spec["v"]), strict=False))
    elif kind == "cmp":
        test = typed.compare_test(name, CompareOperators[str(spec["op"])], _number(spec["v"]))
    elif kind == "ts":
        test = typed.timestamp_test(name, TimestampPart[str(spec["p"])], int(spec["v"]))
    elif kind == "exists":
        test = typed.exists_test(name, bool(spec["v"]))
    else:
        test = typed.fieldref_test(name, str(spec["o"]), bool(spec["s"]), bool(spec["e"]))
    return Leaf(name, test)


_BUILDERS: dict[str, Callable[[str | None, Mapping[str, Any]], Leaf]] = {
    "str": _strings,
    "num": _numbers,
    "null": _null,
    "re": _regex,
    "bool": _field_only,
    "cidr": _field_only,
    "cmp": _field_only,
    "ts": _field_only,
    "exists": _field_only,
    "ref": _field_only,
}


def build_leaf(spec: Spec) -> Leaf:
    """The leaf a spec describes, its spec kept on it (so it can be stored again)."""
    try:
        field = spec["f"]
        if field is not None and not isinstance(field, str):
            raise RuleError(f"bad field {field!r}")
        leaf = _BUILDERS[spec["k"]](field, spec)
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleError(f"bad leaf spec: {exc!r}") from None
    leaf.spec = spec
    return leaf
