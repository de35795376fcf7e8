"""Which rule a reference names, and in which order correlations must be built.

A correlation's ``rules:`` (and its ``aliases``) name other rules by ``id`` or by ``name``
(R8). Every rule, base or correlation, gets one *key* here: its canonical id (lower-case
UUID text) when it has one, else its name. Detections are routed by key, so ``A`` referenced
by name and ``A`` referenced by id reach the same window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from uuid import UUID

from shieldwall.model.errors import RuleError


@lru_cache(maxsize=65536)
def canonical_id(text: str) -> str:
    """Return a UUID in its canonical lower-case form, other ids unchanged."""
    try:
        return str(UUID(text))
    except ValueError:
        return text


def rule_key(rule_id: object, name: str | None) -> str:
    """The key of a rule: its canonical id, else its name, else empty (unreferenceable)."""
    if rule_id is not None and str(rule_id):
        return canonical_id(str(rule_id))
    return name or ""


@dataclass
class RuleIndex:
    """Known rules by id and by name, answering "which key does this reference mean"."""

    by_id: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, set[str]] = field(default_factory=dict)

    def add(self, rule_id: object, name: str | None) -> str:
        """Record one rule and return its key."""
        key = rule_key(rule_id, name)
        if rule_id is not None and str(rule_id):
            self.by_id[canonical_id(str(rule_id))] = key
        if name:
            self.by_name.setdefault(name, set()).add(key)
        return key

    def resolve(self, reference: str, *, owner: str) -> str:
        """Key of the rule ``reference`` names; RuleError naming ``owner`` if none or several."""
        by_id = self.by_id.get(canonical_id(reference))
        if by_id is not None:
            return by_id
        keys = self.by_name.get(reference, set())
        if len(keys) == 1:
            return next(iter(keys))
        if keys:
            raise RuleError(
                f"rule reference {reference!r} is ambiguous: {len(keys)} rules have that name",
                rule_id=owner,
            )
        raise RuleError(f"rule reference {reference!r} names no known rule", rule_id=owner)

    def key_of(self, rule_id: str, name: str | None) -> str | None:
        """Key of the rule that produced a detection (by id first, then by name)."""
        key = self.by_id.get(canonical_id(rule_id)) if rule_id else None
        if key is None and name:
            keys = self.by_name.get(name)
            if keys is not None and len(keys) == 1:
                key = next(iter(keys))
        return key


def dependency_order(edges: Mapping[str, Sequence[str]]) -> list[str]:
    """Order correlation keys so every correlation comes after those it references.

    ``edges`` maps a correlation key to the correlation keys it references (base rules left
    out). A cycle cannot be evaluated (each would wait for the other), so it is a RuleError
    naming the correlations on it (R14, R15).
    """
    done: set[str] = set()
    order: list[str] = []
    for start in edges:
        _visit(start, edges, done, order, path=[])
    return order


def _visit(
    key: str, edges: Mapping[str, Sequence[str]], done: set[str], order: list[str], path: list[str]
) -> None:
    if key in done:
        return
    if key in path:
        cycle = [*path[path.index(key) :], key]
        raise RuleError(
            "correlations reference each other in a cycle: " + " -> ".join(cycle), rule_id=key
        )
    path.append(key)
    for child in edges.get(key, ()):
        _visit(child, edges, done, order, path)
    path.pop()
    done.add(key)
    order.append(key)


def cycle_members(edges: Mapping[str, Sequence[str]]) -> dict[str, RuleError]:
    """Every key on a cycle or depending on one, with the error naming its cycle.

    Used when problems are collected, so each bad correlation is reported, not just the first.
    """
    bad: dict[str, RuleError] = {}
    for key in edges:
        try:
            _visit(key, edges, set(), [], path=[])
        except RuleError as error:
            bad[key] = RuleError(error.reason, rule_id=key)
    return bad
