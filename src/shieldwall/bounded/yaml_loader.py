"""YAML under budgets: alias uses, what aliases expand to, and nesting, all before construction.

YAML aliases let a few hundred bytes stand for millions of nodes (the "billion laughs"):
seven levels, each a list of ten aliases to the level below, is 10**7 leaves in 537 bytes.
PyYAML builds that quickly, since an alias is the same Python object and not a copy, but
whatever walks the result afterwards does the ten million steps: pySigma took 80 s and
3.2 GB on such a rule in issue 9's test. So the loader measures each document's node graph
after composing it and before constructing anything, and refuses a file past any of
:class:`YamlLimits` with a :class:`BudgetExceededError` naming it.

Every YAML the project reads goes through :func:`load_yaml_documents` or :func:`load_yaml`
(Sigma rules, placeholder files); any YAML problem, or a budget exceeded, is an
:class:`InputError` naming the file, never another exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

from shieldwall.model.errors import BudgetExceededError, InputError

if TYPE_CHECKING:
    _SafeLoader = yaml.SafeLoader
else:
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    """libyaml's safe loader where PyYAML was built with it: the same safe constructors,
    with the scanner and parser in C (2,407 Sigma rules load in 1.8 s instead of 4.8 s)."""


@dataclass(frozen=True, slots=True)
class YamlLimits:
    """What one file may hold beyond its own text. Legitimate rules use a few aliases at most."""

    aliases: int = 100
    """Alias uses (``*name``, ``<<: *name``) in the whole file."""
    alias_nodes: int = 10_000
    """Nodes that aliases add when expanded, in the whole file."""
    alias_chars: int = 1_000_000
    """Scalar characters that aliases add when expanded, in the whole file."""
    depth: int = 64
    """Nesting of collections in one document (libyaml's own limit is 1,000)."""


DEFAULT_LIMITS = YamlLimits()
"""The limits every loader in the project uses."""


class _OverBudget(Exception):  # noqa: N818 - private, turned into BudgetExceededError
    """Raised while measuring; the loader functions name the file."""


@dataclass(slots=True)
class _Tally:
    """Alias uses and expansion so far in one file (several documents add up)."""

    aliases: int = 0
    alias_nodes: int = 0
    alias_chars: int = 0


@dataclass(slots=True)
class _Measure:
    """One document's graph: distinct nodes once, and the same expanded as aliases would."""

    aliases: int = 0
    nodes: int = 0
    chars: int = 0
    expanded: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    """id(node) → (nodes, scalar characters, depth) of its subtree, aliases expanded."""


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _own_chars(node: yaml.Node) -> int:
    return len(node.value) if isinstance(node, yaml.ScalarNode) else 0


def _tree_walk(root: yaml.Node) -> tuple[int, int]:
    """(alias uses, depth) in one cheap pass; the depth is exact when there is no alias.

    Most files have no alias at all, and this pass is all they pay: it adds about a tenth
    to the time libyaml takes to parse the 2,407 SigmaHQ Windows rules.
    """
    seen: set[int] = set()
    aliases = depth = 0
    stack = [(root, 1)]
    while stack:
        node, level = stack.pop()
        if id(node) in seen:
            aliases += 1
            continue
        seen.add(id(node))
        depth = max(depth, level)
        if isinstance(node, yaml.MappingNode):
            stack.extend((part, level + 1) for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, level + 1) for child in node.value)
    return aliases, depth


def measure(root: yaml.Node) -> _Measure:
    """Walk the graph once, without recursion: a node met again is an alias use."""
    result = _Measure()
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        children = _children(node)
        if finished:
            sizes = [result.expanded[id(child)] for child in children]
            result.expanded[key] = (
                1 + sum(size[0] for size in sizes),
                _own_chars(node) + sum(size[1] for size in sizes),
                1 + max((size[2] for size in sizes), default=0),
            )
            on_path.discard(key)
        elif key in result.expanded:
            result.aliases += 1
        elif key in on_path:
            raise _OverBudget("an alias refers to a node that contains it (a recursive structure)")
        else:
            on_path.add(key)
            result.nodes += 1
            result.chars += _own_chars(node)
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(children))
    return result


def _charge(tally: _Tally, root: yaml.Node, limits: YamlLimits) -> None:
    """Add one document to the file's tally; raise when the file is past a limit."""
    aliases, depth = _tree_walk(root)
    if aliases:
        measured = measure(root)
        nodes, chars, depth = measured.expanded[id(root)]
        tally.aliases += measured.aliases
        tally.alias_nodes += nodes - measured.nodes
        tally.alias_chars += chars - measured.chars
    if depth > limits.depth:
        raise _OverBudget(f"YAML nested {depth} levels deep (budget: {limits.depth})")
    if tally.aliases > limits.aliases:
        raise _OverBudget(f"YAML uses {tally.aliases:,} aliases (budget: {limits.aliases:,})")
    if tally.alias_nodes > limits.alias_nodes:
        raise _OverBudget(
            f"YAML aliases expand to {tally.alias_nodes:,} more nodes "
            f"(budget: {limits.alias_nodes:,}); an alias bomb?"
        )
    if tally.alias_chars > limits.alias_chars:
        raise _OverBudget(
            f"YAML aliases expand to {tally.alias_chars:,} more characters "
            f"(budget: {limits.alias_chars:,}); an alias bomb?"
        )


class BoundedSafeLoader(_SafeLoader):
    """The safe loader, measuring every document's graph before constructing it."""

    limits: YamlLimits = DEFAULT_LIMITS

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._tally = _Tally()

    def construct_document(self, node: yaml.Node) -> Any:
        """Refuse the document (and so the file) past a limit; else construct as usual."""
        _charge(self._tally, node, self.limits)
        return super().construct_document(node)


def load_yaml_documents(
    text: str, *, source: str, limits: YamlLimits = DEFAULT_LIMITS
) -> list[Any]:
    """Every document of a YAML stream; an :class:`InputError` naming ``source`` otherwise.

    The whole file is refused when one document is past a budget: a file that carries a
    bomb is not trusted for its other documents either.
    """
    loader = BoundedSafeLoader(text)
    loader.limits = limits
    try:
        documents = []
        while loader.check_data():  # type: ignore[no-untyped-call]
            documents.append(loader.get_data())
        return documents
    except _OverBudget as exc:
        raise BudgetExceededError(str(exc), source=source) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", source=source) from None
    except RecursionError:
        raise InputError("invalid YAML: nested too deeply", source=source) from None
    except (ValueError, TypeError, OverflowError) as exc:
        raise InputError(f"invalid YAML value: {exc}", source=source) from None
    finally:
        loader.dispose()


def load_yaml(text: str, *, source: str, limits: YamlLimits = DEFAULT_LIMITS) -> Any:
    """The one document of a YAML file (None when empty); more than one is an InputError."""
    documents = load_yaml_documents(text, source=source, limits=limits)
    if len(documents) > 1:
        raise InputError(f"expected one YAML document, found {len(documents)}", source=source)
    return documents[0] if documents else None
