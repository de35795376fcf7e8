"""A STIX 2.1 pattern into :mod:`.nodes`: budget first, then the ``stix2-patterns`` grammar.

The text is measured (:func:`shieldwall.bounded.stix_cost.over_budget`: length,
comparisons, nesting) before ANTLR sees it, so a hostile indicator cannot exhaust the
stack or buy unbounded parsing; the tree is then walked once into :mod:`.nodes` with every
literal converted and every expression compiled (RE2). A pattern the grammar refuses, or
one asking for what the engine bounds (``REPEATS`` over :data:`MAX_REPEATS`), raises
:class:`~shieldwall.model.errors.InputError` with the reason.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from antlr4 import CommonTokenStream, InputStream
from stix2patterns.exceptions import STIXPatternErrorListener
from stix2patterns.v21.grammars.STIXPatternLexer import STIXPatternLexer
from stix2patterns.v21.grammars.STIXPatternParser import STIXPatternParser as P

from shieldwall.bounded.stix_cost import over_budget
from shieldwall.detect.stix_pattern import values
from shieldwall.detect.stix_pattern.nodes import (
    Both,
    Comparison,
    Either,
    Leaf,
    Node,
    Observe,
    Predicate,
    Step,
    Test,
)
from shieldwall.model.errors import InputError

MAX_REPEATS = 16
"""``REPEATS n TIMES`` past this is refused: each repetition multiplies the search."""


def parse(pattern: str) -> Node:
    """The pattern's tree; :class:`InputError` when it is over budget or not STIX 2.1."""
    refused = over_budget(pattern)
    if refused is not None:
        raise InputError(refused)
    listener = STIXPatternErrorListener()
    lexer = STIXPatternLexer(InputStream(pattern))
    lexer.removeErrorListeners()
    parser = P(CommonTokenStream(lexer))
    parser.removeErrorListeners()
    parser.addErrorListener(listener)
    tree = parser.pattern()
    if listener.err_strings:
        raise InputError(f"not a STIX 2.1 pattern: {listener.err_strings[0]}")
    counter = [0]
    return _observations(tree.observationExpressions(), counter)


def _observations(ctx: Any, counter: list[int]) -> Node:
    if isinstance(ctx, P.ObservationExpressionsContext | P.ObservationExpressionOrContext):
        return _binary(ctx, counter)
    if isinstance(ctx, P.ObservationExpressionAndContext):
        return _binary(ctx, counter)
    if isinstance(ctx, P.ObservationExpressionSimpleContext):
        counter[0] += 1
        return Leaf(counter[0] - 1, _comparison(ctx.comparisonExpression()))
    if isinstance(ctx, P.ObservationExpressionCompoundContext):
        return _observations(ctx.observationExpressions(), counter)
    inner = _observations(ctx.observationExpression(), counter)
    if isinstance(ctx, P.ObservationExpressionWithinContext):
        literal = ctx.withinQualifier().FloatPosLiteral() or ctx.withinQualifier().IntPosLiteral()
        seconds = float(literal.getText())
        if seconds <= 0:
            raise InputError("WITHIN needs a positive number of seconds")
        return Observe("within", inner, seconds=seconds)
    if isinstance(ctx, P.ObservationExpressionRepeatedContext):
        times = int(ctx.repeatedQualifier().IntPosLiteral().getText())
        if not 1 <= times <= MAX_REPEATS:
            raise InputError(f"REPEATS between 1 and {MAX_REPEATS} TIMES")
        return Observe("repeats", inner, times=times)
    start, stop = (_timestamp(t.getText()) for t in ctx.startStopQualifier().TimestampLiteral())
    return Observe("startstop", inner, start=start, stop=stop)


def _binary(ctx: Any, counter: list[int]) -> Node:
    """``FOLLOWEDBY``, ``OR`` or ``AND`` when the rule has two operands, else its one child."""
    children = [c for c in ctx.getChildren() if not hasattr(c, "symbol")]
    if len(children) == 1:
        return _observations(children[0], counter)
    left, right = (_observations(child, counter) for child in children)
    kind = {"FOLLOWEDBY": "followedby", "OR": "or", "AND": "and"}[ctx.getChild(1).getText()]
    return Observe(kind, left, right)  # type: ignore[arg-type]


def _comparison(ctx: Any) -> Comparison:
    if isinstance(ctx, P.ComparisonExpressionContext | P.ComparisonExpressionAndContext):
        children = [c for c in ctx.getChildren() if not hasattr(c, "symbol")]
        if len(children) == 1:
            return _comparison(children[0])
        left, right = (_comparison(child) for child in children)
        is_or = isinstance(ctx, P.ComparisonExpressionContext)
        return Either(left, right) if is_or else Both(left, right)
    if isinstance(ctx, P.PropTestParenContext):
        return _comparison(ctx.comparisonExpression())
    return _test(ctx)


def _test(ctx: Any) -> Test:
    object_type, path = _path(ctx.objectPath())
    operator, predicate = _predicate(ctx)
    if ctx.NOT() is not None:
        return Test(object_type, path, "NOT " + operator, _negated(predicate))
    return Test(object_type, path, operator, predicate, _anchors(ctx, operator))


def _anchors(ctx: Any, operator: str) -> tuple[str | int | float, ...]:
    """The values one of which the property must equal (``=``, ``IN``), when they are
    text or numbers: an index on them (:mod:`.index`) skips the patterns an event cannot
    touch. Empty when the test has no such values (it is then always evaluated)."""
    if operator == "=":
        found = [_literal(ctx.primitiveLiteral().getChild(0))]
    elif operator == "IN":
        found = [_literal(item.getChild(0)) for item in ctx.setLiteral().primitiveLiteral()]
    else:
        return ()
    if not found or not all(values.kind_of(v) in {"str", "num"} for v in found):
        return ()
    return tuple(v for v in found if isinstance(v, str | int | float))


def _negated(predicate: Predicate) -> Predicate:
    return lambda value: not predicate(value)


def _predicate(ctx: Any) -> tuple[str, Predicate]:
    if isinstance(ctx, P.PropTestEqualContext):
        literal = _literal(ctx.primitiveLiteral().getChild(0))
        if ctx.NEQ() is not None:
            return "!=", lambda value: not values.equal(value, literal)
        return "=", lambda value: values.equal(value, literal)
    if isinstance(ctx, P.PropTestOrderContext):
        operator = ctx.getChild(2 if ctx.NOT() else 1).getText()
        literal = _literal(ctx.orderableLiteral())
        return operator, lambda value: values.order(value, literal, operator)
    if isinstance(ctx, P.PropTestSetContext):
        items = tuple(_literal(item.getChild(0)) for item in ctx.setLiteral().primitiveLiteral())
        return "IN", values.member_of(items)
    if isinstance(ctx, P.PropTestExistsContext):
        raise InputError("EXISTS is not supported on the stream")
    text = _string(ctx.StringLiteral().getText())
    if isinstance(ctx, P.PropTestLikeContext):
        return "LIKE", values.like(text)
    if isinstance(ctx, P.PropTestRegexContext):
        return "MATCHES", values.matches(text)
    if isinstance(ctx, P.PropTestIsSubsetContext):
        return "ISSUBSET", values.subset(text)
    return "ISSUPERSET", values.superset(text)


def _path(ctx: Any) -> tuple[str, tuple[Step, ...]]:
    first = ctx.firstPathComponent().getText()
    steps: list[Step] = [_string(first) if first.startswith("'") else first]
    rest = ctx.objectPathComponent()
    if rest is not None:
        steps.extend(_steps(rest))
    return ctx.objectType().getText(), tuple(steps)


def _steps(ctx: Any) -> list[Step]:
    if isinstance(ctx, P.PathStepContext):
        return [step for child in ctx.objectPathComponent() for step in _steps(child)]
    if isinstance(ctx, P.KeyPathStepContext):
        key = ctx.getChild(1).getText()
        return [_string(key) if key.startswith("'") else key]
    text = ctx.getChild(1).getText()
    return [None if text == "*" else int(text)]


def _literal(ctx: Any) -> values.Literal:
    """A literal token (or an ``orderableLiteral`` holding one) as a Python value."""
    text: str = ctx.getText()
    if text.startswith("'"):
        return _string(text)
    if text.startswith("t'"):
        return _timestamp(text)
    if text.startswith("h'"):
        return bytes.fromhex(text[2:-1])
    if text.startswith("b'"):
        return base64.b64decode(text[2:-1])
    if text in {"true", "false"}:
        return text == "true"
    if any(mark in text for mark in ".eE"):
        return float(text)
    return int(text)


def _string(text: str) -> str:
    """A quoted literal's value: ``\\'`` and ``\\\\`` unescaped."""
    body, out, escaped = text[1:-1], [], False
    for char in body:
        if escaped or char != "\\":
            out.append(char)
            escaped = False
        else:
            escaped = True
    return "".join(out)


def _timestamp(text: str) -> datetime:
    moment = values.parse_time(text[2:-1])
    if moment is None:
        raise InputError(f"not a timestamp: {text}")
    return moment
