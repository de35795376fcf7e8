"""Correlation conditions: a comparison (R11) or a boolean over rules (temporal, extended).

Comparisons ``gt``, ``gte`` and ``eq`` can become true as detections arrive, so they are
checked on every arrival over the window ending at it. ``lt``, ``lte`` and ``neq`` are true
of a window that has just opened (one detection is "fewer than 5"), so checking them on
arrival would fire on every first detection; they are checked once a window is complete
(see :mod:`shieldwall.detect.correlate.window`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Set
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sigma.correlations import (
    CorrelationConditionAND,
    CorrelationConditionNOT,
    CorrelationConditionOR,
    SigmaRuleReference,
)

from shieldwall.model.errors import RuleError


class Check(Enum):
    """When a condition is checked."""

    ON_ARRIVAL = "on_arrival"
    ON_CLOSE = "on_close"


_OPERATORS: dict[str, tuple[Callable[[float, float], bool], Check]] = {
    "gt": (operator.gt, Check.ON_ARRIVAL),
    "gte": (operator.ge, Check.ON_ARRIVAL),
    "eq": (operator.eq, Check.ON_ARRIVAL),
    "lt": (operator.lt, Check.ON_CLOSE),
    "lte": (operator.le, Check.ON_CLOSE),
    "neq": (operator.ne, Check.ON_CLOSE),
}


@dataclass(frozen=True, slots=True)
class Comparison:
    """``<aggregate> <op> <threshold>``, e.g. ``count >= 10``."""

    op: str
    threshold: float

    @property
    def check(self) -> Check:
        """On arrival or on window close (see module docstring)."""
        return _OPERATORS[self.op][1]

    def holds(self, value: float) -> bool:
        """Whether the aggregate meets the condition."""
        return _OPERATORS[self.op][0](value, self.threshold)

    @classmethod
    def parse(cls, op_name: str, threshold: float, *, owner: str) -> Comparison:
        """Build from pySigma's operator name; RuleError for one this engine does not know."""
        name = op_name.lower()
        if name not in _OPERATORS:
            raise RuleError(
                f"unsupported correlation condition operator {op_name!r}", rule_id=owner
            )
        return cls(name, threshold)


@dataclass(frozen=True, slots=True)
class RuleExpression:
    """A temporal ``condition`` written as ``a and (b or c)`` over the referenced rules.

    Evaluated on arrival over the set of rules seen in the window. ``not`` is refused: on a
    stream "b has not happened" is only known once the window closes, and a premature answer
    would be a false positive (R15: refuse rather than degrade).
    """

    op: str
    """``and``, ``or`` or ``ref``."""
    args: tuple[RuleExpression, ...] = ()
    key: str = ""

    def holds(self, present: Set[Any]) -> bool:
        """Whether the rules present in the window satisfy the expression."""
        if self.op == "ref":
            return self.key in present
        results = (arg.holds(present) for arg in self.args)
        return all(results) if self.op == "and" else any(results)

    def keys(self) -> set[str]:
        """Every rule key the expression names."""
        if self.op == "ref":
            return {self.key}
        return set().union(*(arg.keys() for arg in self.args))


def expression_from_pysigma(
    node: Any, resolve: Callable[[str], str], *, owner: str
) -> RuleExpression:
    """Convert pySigma's parsed extended condition, resolving each rule reference to a key."""
    if isinstance(node, SigmaRuleReference):
        return RuleExpression("ref", key=resolve(node.reference))
    if isinstance(node, CorrelationConditionAND | CorrelationConditionOR):
        op = "and" if isinstance(node, CorrelationConditionAND) else "or"
        args = tuple(expression_from_pysigma(arg, resolve, owner=owner) for arg in node.args)
        return RuleExpression(op, args)
    if isinstance(node, CorrelationConditionNOT):
        raise RuleError(
            "'not' in a temporal condition is not supported on a stream "
            "(absence is only known when the window closes)",
            rule_id=owner,
        )
    raise RuleError(f"unsupported temporal condition element {type(node).__name__}", rule_id=owner)
