"""Compile one Sigma detection item (a field, its modifiers already applied, its values).

pySigma has applied the modifiers: ``contains`` put wildcards around strings, ``base64offset``
and ``windash`` made :class:`SigmaExpansion` groups, ``re`` made regular expressions, and
so on. Here each value type becomes a leaf test; OR-linked strings of one field share a
single grouped test.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sigma.conditions import ConditionAND
from sigma.rule import SigmaDetectionItem
from sigma.types import (
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaString,
    SigmaTimestampPart,
    SigmaType,
)

from shieldwall.detect.sigma import typed
from shieldwall.detect.sigma.context import EventView
from shieldwall.detect.sigma.nodes import Leaf, Negation, Node, all_of, any_of
from shieldwall.detect.sigma.placeholders import Placeholders, expand_value
from shieldwall.detect.sigma.regex_literals import required_literal
from shieldwall.detect.sigma.strings import any_pattern_test, as_keyword, to_pattern
from shieldwall.model.errors import RuleError

UNINDEXED_FIELDS = frozenset({"EventID", "Channel"})
"""Fields the router already constrains: useless as prefilter literals."""


def compile_item(item: SigmaDetectionItem, placeholders: Placeholders) -> Node:
    """The node for one detection item (``field|mods: values``), negation included."""
    values = [v for value in item.value for v in expand_value(value, placeholders)]
    if not values:
        node: Node = _leaf_null(item.field)
    elif item.value_linking is ConditionAND:
        node = all_of([_compile_values(item.field, [value]) for value in values])
    else:
        node = _compile_values(item.field, values)
    return Negation(node) if item.negated else node


def _compile_values(field: str | None, values: Sequence[SigmaType]) -> Node:
    """OR of the values, grouped so that strings of one kind share one test."""
    plain: list[SigmaString] = []
    cased: list[SigmaString] = []
    numbers: list[SigmaNumber] = []
    others: list[Node] = []
    for value in values:
        if isinstance(value, SigmaExpansion):
            others.append(_compile_values(field, value.values))
        elif isinstance(value, SigmaCasedString):
            cased.append(value)
        elif isinstance(value, SigmaString):
            plain.append(value)
        elif isinstance(value, SigmaNumber) and not isinstance(value, SigmaTimestampPart):
            numbers.append(value)
        else:
            others.append(_compile_other(field, value))
    nodes = [
        _leaf_strings(field, group, cased=is_cased)
        for group, is_cased in ((plain, False), (cased, True))
        if group
    ]
    if numbers:
        nodes.append(_leaf_numbers(field, numbers))
    return any_of(nodes + others)


def _leaf_strings(field: str | None, values: Sequence[SigmaString], *, cased: bool) -> Leaf:
    if field is None:
        values = [as_keyword(value) for value in values]
    patterns = [to_pattern(value, cased=cased) for value in values]
    literals = None if field in UNINDEXED_FIELDS else frozenset(p.literal for p in patterns)
    return Leaf(field, typed.text_test(field, any_pattern_test(patterns), cased=cased), literals)


def _leaf_numbers(field: str | None, values: Sequence[SigmaNumber]) -> Leaf:
    numbers = frozenset(value.number for value in values)
    literals = frozenset(str(n) for n in numbers)
    ids = None
    if field == "EventID" and all(type(n) is int for n in numbers):
        ids = frozenset(int(n) for n in numbers)
    if field is None:
        texts = frozenset(str(n) for n in numbers)
        keyword: Callable[[str], bool] = lambda text: any(t in text for t in texts)  # noqa: E731
        return Leaf(None, typed.text_test(None, keyword, cased=False), literals)
    index_literals = None if field in UNINDEXED_FIELDS else literals
    return Leaf(field, typed.number_test(field, numbers), index_literals, ids)


def _leaf_null(field: str | None) -> Leaf:
    if field is None:
        raise RuleError("a null value must be bound to a field")
    return Leaf(field, typed.null_test(field))


def _compile_other(field: str | None, value: SigmaType) -> Node:
    if isinstance(value, SigmaNull):
        return _leaf_null(field)
    if isinstance(value, SigmaRegularExpression):
        literal = required_literal(str(value.regexp), typed.regex_flags(value))
        literals = frozenset({literal}) if literal and field not in UNINDEXED_FIELDS else None
        return Leaf(field, typed.regex_test(field, value), literals)
    if field is None:
        raise RuleError(f"a {type(value).__name__} value must be bound to a field")
    return Leaf(field, _field_only_test(field, value))


def _field_only_test(field: str, value: SigmaType) -> Callable[[EventView], bool]:
    builders: list[tuple[type[Any], Callable[[str, Any], Callable[[EventView], bool]]]] = [
        (SigmaBool, typed.bool_test),
        (SigmaCIDRExpression, typed.cidr_test),
        (SigmaCompareExpression, typed.compare_test),
        (SigmaTimestampPart, typed.timestamp_test),
        (SigmaExists, typed.exists_test),
        (SigmaFieldReference, typed.fieldref_test),
    ]
    for kind, build in builders:
        if isinstance(value, kind):
            return build(field, value)
    raise RuleError(f"value type {type(value).__name__} is not supported on field {field}")
