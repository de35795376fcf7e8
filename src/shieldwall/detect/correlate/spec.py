"""A pySigma correlation rule checked and compiled into what the windows need.

Everything that can be wrong with a correlation is found here, at construction, and raised
as a RuleError naming the correlation (R15): unknown or ambiguous rule references (R8), an
unknown type, an alias without a field for one of the rules (R12), a condition the type
cannot use (R11), a percentile out of range.

Choices where the specification is silent: a correlation without ``group-by`` has one group
for all its detections; one without ``level`` is ``medium``; its output ``rule_id`` is its
id, else its name, else its title.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from sigma.correlations import SigmaCorrelationCondition, SigmaExtendedCorrelationCondition

from shieldwall.detect.correlate.aggregates import Aggregate, DistinctAggregate
from shieldwall.detect.correlate.condition import (
    Check,
    Comparison,
    RuleExpression,
    expression_from_pysigma,
)
from shieldwall.detect.correlate.references import RuleIndex, rule_key
from shieldwall.model.detection import Detection, Level
from shieldwall.model.errors import RuleError

MICROSECONDS = 1_000_000
COUNTING = frozenset({"event_count", "value_count", "temporal", "temporal_ordered"})
NUMERIC = frozenset({"value_sum", "value_avg", "value_percentile", "value_median"})


@dataclass(frozen=True, slots=True)
class CorrelationSpec:
    """One correlation, ready to evaluate. Field names are resolved per source rule."""

    key: str
    rule_id: str
    title: str
    name: str | None
    level: Level
    tags: tuple[str, ...]
    kind: str
    sources: tuple[str, ...]
    """Keys of the referenced rules, in the order listed (temporal_ordered uses it)."""
    span: int
    """Timespan in microseconds; a window is ``[t - span, t]``, both ends included."""
    group_by: tuple[str, ...]
    group_fields: dict[str, tuple[str, ...]]
    """Per source key: the event field for each group-by name (aliases applied)."""
    value_fields: dict[str, tuple[str, ...]]
    """Per source key: the field(s) of ``condition.field`` (empty for event_count/temporal)."""
    value_label: str
    """``condition.field`` as written (names the aggregate in the output)."""
    comparison: Comparison | None
    expression: RuleExpression | None
    percentile: float
    generate: bool

    @property
    def check(self) -> Check:
        """When the condition is checked (an extended temporal condition: on arrival)."""
        return self.comparison.check if self.comparison is not None else Check.ON_ARRIVAL

    def holds(self, aggregate: Aggregate) -> bool:
        """Whether a window's aggregate meets the condition (comparison or rule expression)."""
        if self.expression is not None and isinstance(aggregate, DistinctAggregate):
            return self.expression.holds(aggregate.present())
        return self.holds_count(aggregate.result())

    def holds_count(self, value: float) -> bool:
        """Whether a count or aggregate meets the comparison."""
        return self.comparison is not None and self.comparison.holds(value)

    def group_of(self, source: str, detection: Detection) -> tuple[Hashable, ...] | None:
        """The group-by values of a detection, or None when one of them is missing."""
        values = []
        for field_name in self.group_fields[source]:
            value = field_value(detection, field_name)
            if value is None:
                return None
            values.append(hashable(value))
        return tuple(values)


def field_value(detection: Detection, name: str) -> Any:
    """A field of the detection's event; for a correlation's output, of its group (R14)."""
    if detection.event is not None:
        return detection.event.fields.get(name)
    return detection.group.get(name)


def hashable(value: Any) -> Hashable:
    """Field values as dict keys: lists become tuples (values compare exactly, cased)."""
    if isinstance(value, list):
        return tuple(hashable(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), hashable(v)) for k, v in value.items()))
    if isinstance(value, Hashable):
        return value
    return repr(value)


def compile_correlation(rule: Any, index: RuleIndex) -> CorrelationSpec:
    """Check one pySigma SigmaCorrelationRule against the known rules and compile it."""
    key = rule_key(rule.id, rule.name)
    owner = key or str(rule.title)
    kind = rule.type.name.lower() if rule.type is not None else ""
    if kind not in COUNTING | NUMERIC:
        raise _error(f"unsupported correlation type {kind!r}", owner)
    sources = _sources(rule, index, owner)
    if kind == "temporal" and len(set(sources)) != len(sources):
        raise _error("temporal correlation lists the same rule twice", owner)
    aliases = _aliases(rule, index, sources, owner)
    group_by = tuple(rule.group_by or ())
    comparison, expression, fields, percentile = _condition(rule, kind, index, owner)
    return CorrelationSpec(
        key=key,
        rule_id=owner,
        title=str(rule.title),
        name=rule.name,
        level=Level.parse(rule.level.name) if rule.level is not None else Level.MEDIUM,
        tags=tuple(str(tag) for tag in rule.tags),
        kind=kind,
        sources=sources,
        span=int(rule.timespan.seconds) * MICROSECONDS,
        group_by=group_by,
        group_fields={s: _per_source(group_by, s, aliases, owner) for s in sources},
        value_fields={s: _per_source(fields, s, aliases, owner) for s in sources},
        value_label=",".join(fields),
        comparison=comparison,
        expression=expression,
        percentile=percentile,
        generate=bool(rule.generate),
    )


def referenced_keys(rule: Any, index: RuleIndex) -> tuple[str, ...]:
    """The keys a correlation references (for ordering and cycle checks, before compiling)."""
    owner = rule_key(rule.id, rule.name) or str(rule.title)
    return _sources(rule, index, owner)


def _sources(rule: Any, index: RuleIndex, owner: str) -> tuple[str, ...]:
    references = [ref.reference for ref in rule.rules or ()]
    if not references and isinstance(rule.condition, SigmaExtendedCorrelationCondition):
        references = rule.condition.get_referenced_rules()
    if not references:
        raise _error("correlation references no rules", owner)
    return tuple(index.resolve(str(ref), owner=owner) for ref in references)


def _aliases(
    rule: Any, index: RuleIndex, sources: tuple[str, ...], owner: str
) -> dict[str, dict[str, str]]:
    aliases: dict[str, dict[str, str]] = {}
    for alias in rule.aliases:
        mapping: dict[str, str] = {}
        for reference, field_name in alias.mapping.items():
            source = index.resolve(str(reference.reference), owner=owner)
            if source not in sources:
                raise _error(
                    f"alias {alias.alias!r} maps rule {reference.reference!r}, "
                    "which the correlation does not reference",
                    owner,
                )
            mapping[source] = str(field_name)
        aliases[str(alias.alias)] = mapping
    return aliases


def _per_source(
    names: tuple[str, ...], source: str, aliases: dict[str, dict[str, str]], owner: str
) -> tuple[str, ...]:
    fields = []
    for name in names:
        if name not in aliases:
            fields.append(name)
        elif source in aliases[name]:
            fields.append(aliases[name][source])
        else:
            raise _error(f"alias {name!r} gives no field for referenced rule {source!r}", owner)
    return tuple(fields)


def _condition(
    rule: Any, kind: str, index: RuleIndex, owner: str
) -> tuple[Comparison | None, RuleExpression | None, tuple[str, ...], float]:
    condition = rule.condition
    if isinstance(condition, SigmaExtendedCorrelationCondition):
        if kind != "temporal":
            raise _error(f"an extended (boolean) condition is not supported for {kind}", owner)

        def resolve(reference: str) -> str:
            return index.resolve(reference, owner=owner)

        return None, expression_from_pysigma(condition.parsed, resolve, owner=owner), (), 0.0
    if not isinstance(condition, SigmaCorrelationCondition):
        raise _error("correlation has no condition", owner)
    comparison = Comparison.parse(condition.op.name, float(condition.count), owner=owner)
    if kind == "temporal_ordered" and comparison.check is Check.ON_CLOSE:
        raise _error(f"condition {comparison.op!r} is not supported for temporal_ordered", owner)
    return (
        comparison,
        None,
        _value_fields(condition, kind, owner),
        _percentile(condition, kind, owner),
    )


def _value_fields(condition: Any, kind: str, owner: str) -> tuple[str, ...]:
    ref = condition.fieldref
    fields = (ref,) if isinstance(ref, str) else tuple(str(f) for f in ref or ())
    if kind in COUNTING and kind != "value_count":
        return ()
    if not fields:
        raise _error(f"{kind} needs condition.field", owner)
    if kind in NUMERIC and len(fields) != 1:
        raise _error(f"{kind} aggregates exactly one field, not {list(fields)}", owner)
    return fields


def _percentile(condition: Any, kind: str, owner: str) -> float:
    if kind == "value_median":
        return 50.0
    if kind != "value_percentile":
        return 0.0
    if condition.percentile is None:
        raise _error("value_percentile needs condition.percentile", owner)
    if not 0 <= condition.percentile <= 100:
        raise _error(f"percentile {condition.percentile} is not within 0..100", owner)
    return float(condition.percentile)


def _error(reason: str, owner: str) -> RuleError:
    return RuleError(reason, rule_id=owner)
