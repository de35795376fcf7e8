"""Compile a rule's detections and condition(s) into one node tree.

pySigma parses the condition (``and or not ( )``, ``1 of x*``, ``all of them``, ``_``
identifiers excluded from ``them``); we walk its parse tree ourselves rather than its
post-processed tree so each detection item keeps its value list together and can be
matched by one grouped test.
"""

from __future__ import annotations

from sigma.conditions import (
    ConditionAND,
    ConditionIdentifier,
    ConditionItem,
    ConditionNOT,
    ConditionOR,
    ConditionSelector,
    SigmaCondition,
)
from sigma.exceptions import SigmaConditionError
from sigma.rule import SigmaDetection, SigmaDetectionItem, SigmaDetections

from shieldwall.detect.sigma.nodes import Negation, Node, all_of, any_of
from shieldwall.detect.sigma.placeholders import Placeholders
from shieldwall.detect.sigma.values import compile_item
from shieldwall.model.errors import RuleError

LEGACY_AGGREGATION = (
    "legacy pipe aggregation in condition {condition!r} ('| count() ...', 'near') is not "
    "Sigma v2: write it as a correlation rule"
)


class ConditionCompiler:
    """Compiles the condition(s) of one rule; each detection is compiled once."""

    def __init__(self, detections: SigmaDetections, placeholders: Placeholders) -> None:
        self._detections = detections
        self._placeholders = placeholders
        self._compiled: dict[str, Node] = {}

    def compile(self) -> Node:
        """The OR of every condition in the rule's condition list."""
        return any_of([self._condition(text) for text in self._detections.condition])

    def _condition(self, text: str) -> Node:
        if not isinstance(text, str):
            raise RuleError(f"condition must be a string, not {type(text).__name__}")
        if "|" in text:
            raise RuleError(LEGACY_AGGREGATION.format(condition=text))
        try:
            tree = SigmaCondition(text, self._detections).parse(postprocess=False)
        except SigmaConditionError as exc:
            raise RuleError(f"bad condition {text!r}: {exc}") from exc
        if not isinstance(tree, ConditionItem):
            raise RuleError(f"bad condition {text!r}")
        return self._walk(tree)

    def _walk(self, item: object) -> Node:
        if isinstance(item, ConditionIdentifier):
            return self._detection(item.identifier)
        if isinstance(item, ConditionSelector):
            return self._selector(item)
        if isinstance(item, ConditionNOT):
            return Negation(self._walk(item.args[0]))
        if isinstance(item, ConditionAND):
            return all_of([self._walk(arg) for arg in item.args])
        if isinstance(item, ConditionOR):
            return any_of([self._walk(arg) for arg in item.args])
        raise RuleError(f"unsupported condition element {type(item).__name__}")

    def _selector(self, selector: ConditionSelector) -> Node:
        names = [
            ident.identifier for ident in selector.resolve_referenced_detections(self._detections)
        ]
        if not names:
            raise RuleError(f"'{selector.args[0]} of {selector.pattern}' matches no detection")
        nodes = [self._detection(name) for name in names]
        return all_of(nodes) if selector.cond_class is ConditionAND else any_of(nodes)

    def _detection(self, name: str) -> Node:
        if name not in self._compiled:
            try:
                detection = self._detections[name]
            except KeyError:
                raise RuleError(f"condition names undefined detection {name!r}") from None
            self._compiled[name] = self._definition(detection)
        return self._compiled[name]

    def _definition(self, detection: SigmaDetection) -> Node:
        children = [
            compile_item(item, self._placeholders)
            if isinstance(item, SigmaDetectionItem)
            else self._definition(item)
            for item in detection.detection_items
        ]
        if detection.item_linking is ConditionAND:
            return all_of(children)
        return any_of(children)
