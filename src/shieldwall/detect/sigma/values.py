"""Compile one Sigma detection item (a field, its modifiers already applied, its values).

pySigma has applied the modifiers: ``contains`` put wildcards around strings, ``base64offset``
and ``windash`` made :class:`SigmaExpansion` groups, ``re`` made regular expressions, and
so on. Here each value type becomes a leaf spec in plain values, built into a test by
:func:`.leaves.build_leaf` (so the rule cache can store and rebuild it); OR-linked strings
of one field share a single grouped test.
"""

from __future__ import annotations

from collections.abc import Sequence

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
from shieldwall.detect.sigma.leaves import UNINDEXED_FIELDS, Spec, build_leaf
from shieldwall.detect.sigma.nodes import Leaf, Negation, Node, all_of, any_of
from shieldwall.detect.sigma.placeholders import Placeholders, expand_value
from shieldwall.detect.sigma.regex_literals import required_literal
from shieldwall.detect.sigma.strings import as_keyword, to_pattern
from shieldwall.model.errors import RuleError

__all__ = ["UNINDEXED_FIELDS", "compile_item"]


def compile_item(item: SigmaDetectionItem, placeholders: Placeholders) -> Node:
    """The node for one detection item (``field|mods: values``), negation included."""
    values = [v for value in item.value for v in expand_value(value, placeholders)]
    if not values:
        node: Node = build_leaf({"k": "null", "f": item.field})
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
            others.append(build_leaf(_other_spec(field, value)))
    nodes = [
        _leaf_strings(field, group, cased=is_cased)
        for group, is_cased in ((plain, False), (cased, True))
        if group
    ]
    if numbers:
        nodes.append(build_leaf({"k": "num", "f": field, "n": [v.number for v in numbers]}))
    return any_of(nodes + others)


def _leaf_strings(field: str | None, values: Sequence[SigmaString], *, cased: bool) -> Leaf:
    if field is None:
        values = [as_keyword(value) for value in values]
    patterns = [to_pattern(value, cased=cased) for value in values]
    spec: Spec = {
        "k": "str",
        "f": field,
        "c": cased,
        "p": [[p.kind, p.text, p.literal] for p in patterns],
    }
    return build_leaf(spec)


def _other_spec(field: str | None, value: SigmaType) -> Spec:
    if isinstance(value, SigmaNull):
        return {"k": "null", "f": field}
    if isinstance(value, SigmaRegularExpression):
        source, flags = str(value.regexp), typed.regex_flags(value)
        literal = required_literal(source, flags)
        return {"k": "re", "f": field, "r": source, "fl": flags, "l": literal}
    if field is None:
        raise RuleError(f"a {type(value).__name__} value must be bound to a field")
    return _field_only_spec(field, value)


def _field_only_spec(field: str, value: SigmaType) -> Spec:
    if isinstance(value, SigmaBool):
        return {"k": "bool", "f": field, "v": bool(value.boolean)}
    if isinstance(value, SigmaCIDRExpression):
        return {"k": "cidr", "f": field, "v": str(value.network)}
    if isinstance(value, SigmaCompareExpression):
        return {"k": "cmp", "f": field, "op": value.op.name, "v": value.number.number}
    if isinstance(value, SigmaTimestampPart):
        return {"k": "ts", "f": field, "p": value.timestamp_part.name, "v": value.number}
    if isinstance(value, SigmaExists):
        return {"k": "exists", "f": field, "v": bool(value.exists)}
    if isinstance(value, SigmaFieldReference):
        return {
            "k": "ref",
            "f": field,
            "o": value.field,
            "s": bool(value.starts_with),
            "e": bool(value.ends_with),
        }
    raise RuleError(f"value type {type(value).__name__} is not supported on field {field}")
