"""A compiled rule as plain values (a recipe), and back: what the rule cache stores.

A :class:`CompiledRule` holds closures, which cannot be stored; its node tree can, since
every leaf keeps the spec it was built from (:mod:`.leaves`). A recipe is the rule's
metadata, its route and its node tree with leaf specs, all JSON-safe. Rebuilding runs
the same leaf builders as compiling, then the same ``compile``/``requirement`` steps, so
a rule from a recipe behaves exactly as the rule it was taken from. The pySigma rule is
not kept (``sigma`` is None): selection reads :class:`.selection.RuleFacts` instead.

A malformed recipe raises :class:`~shieldwall.model.errors.RuleError`.
"""

from __future__ import annotations

from typing import Any

from shieldwall.detect.sigma.compiler import CompiledRule, identity_of
from shieldwall.detect.sigma.leaves import build_leaf
from shieldwall.detect.sigma.logsource import Route
from shieldwall.detect.sigma.nodes import AllOf, AnyOf, Constant, Leaf, Negation, Node
from shieldwall.detect.sigma.selection import RuleFacts
from shieldwall.model.detection import Level
from shieldwall.model.errors import RuleError

Recipe = dict[str, Any]
MAX_DEPTH = 200
"""Deeper node trees are refused when rebuilding (a compiled rule is far shallower)."""


def node_recipe(node: Node) -> list[Any]:
    """``["L", spec]``, ``["A", [...]]``, ``["O", [...]]``, ``["N", child]``, ``["C", bool]``."""
    if isinstance(node, Leaf):
        if node.spec is None:
            raise RuleError("a leaf without a spec cannot be stored")
        return ["L", node.spec]
    if isinstance(node, AllOf):
        return ["A", [node_recipe(child) for child in node.children]]
    if isinstance(node, AnyOf):
        return ["O", [node_recipe(child) for child in node.children]]
    if isinstance(node, Negation):
        return ["N", node_recipe(node.child)]
    if isinstance(node, Constant):
        return ["C", node.value]
    raise RuleError(f"cannot store a {type(node).__name__}")


def node_from_recipe(recipe: Any, depth: int = 0) -> Node:
    """The node tree a recipe describes."""
    if depth > MAX_DEPTH or not isinstance(recipe, list) or len(recipe) != 2:
        raise RuleError("bad node recipe")
    tag, body = recipe
    if tag == "L" and isinstance(body, dict):
        return build_leaf(body)
    if tag in ("A", "O") and isinstance(body, list) and body:
        children = [node_from_recipe(child, depth + 1) for child in body]
        return AllOf(children) if tag == "A" else AnyOf(children)
    if tag == "N":
        return Negation(node_from_recipe(body, depth + 1))
    if tag == "C" and isinstance(body, bool):
        return Constant(body)
    raise RuleError(f"bad node recipe tag {tag!r}")


def rule_recipe(rule: CompiledRule) -> Recipe:
    """The recipe of a compiled rule (its source is not stored: the cache key is the bytes)."""
    route = rule.route
    facts = rule.facts
    return {
        "id": facts.id,
        "name": rule.name,
        "title": rule.title,
        "level": rule.level.name,
        "sel_level": facts.level.name if facts.level is not None else None,
        "status": rule.status,
        "tags": list(rule.tags),
        "route": [
            route.windows,
            sorted(route.keys, key=repr) if route.keys is not None else None,
            list(route.wanted),
        ],
        "node": node_recipe(rule.node),
    }


def _route(value: Any) -> Route:
    windows, keys, wanted = value
    if not isinstance(windows, bool) or len(wanted) != 3:
        raise RuleError("bad route")
    frozen = None
    if keys is not None:
        frozen = frozenset(
            (str(ch), None if eid is None else int(eid), str(view)) for ch, eid, view in keys
        )
    return Route(windows, frozen, (str(wanted[0]), str(wanted[1]), str(wanted[2])))


def _optional(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise RuleError("bad text in recipe")
    return value


def rule_from_recipe(recipe: Recipe, source: str) -> CompiledRule:
    """The compiled rule a recipe describes, read from ``source``."""
    try:
        node = node_from_recipe(recipe["node"])
        rule_id, name = _optional(recipe["id"]), _optional(recipe["name"])
        title, status = str(recipe["title"]), _optional(recipe["status"])
        tags = tuple(str(tag) for tag in recipe["tags"])
        sel_level = recipe["sel_level"]
        facts = RuleFacts(
            level=Level[sel_level] if sel_level is not None else None,
            status=status,
            tags=tags,
            id=rule_id,
            name=name or None,
        )
        return CompiledRule(
            rule_id=identity_of(rule_id, name, title, source),
            title=title,
            name=name,
            level=Level[recipe["level"]],
            status=status,
            tags=tags,
            source=source,
            route=_route(recipe["route"]),
            node=node,
            test=node.compile(),
            requirement=node.requirement(),
            sigma=None,
            facts=facts,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleError(f"bad rule recipe: {exc!r}") from None
