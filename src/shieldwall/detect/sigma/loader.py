"""Load Sigma rules from files and directories into a :class:`RuleSet`.

Every document that cannot be read, parsed by pySigma or compiled by us becomes one
:class:`RuleError` (file, rule id, reason) in ``RuleSet.problems``; loading goes on with
the rest, so one pass reports everything. Files are read under the YAML budgets of
:mod:`shieldwall.bounded` (an alias bomb is refused, naming the file). Filter documents
are applied to their targets, correlation documents are passed through (their base rules
are kept and resolvable by id or name), the selection is applied, and the remaining rules
are compiled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import SigmaError, SigmaRuleLocation
from sigma.filters import SigmaFilter
from sigma.rule import SigmaRule

from shieldwall.bounded import load_yaml_documents
from shieldwall.detect.sigma.compiler import CompiledRule, compile_rule, rule_identity
from shieldwall.detect.sigma.filters import Sourced, apply_filters
from shieldwall.detect.sigma.modifiers import register_aliases
from shieldwall.detect.sigma.placeholders import load_placeholders
from shieldwall.detect.sigma.selection import RuleSelection
from shieldwall.model.errors import InputError, RuleError

__all__ = ["RuleSelection", "RuleSet", "discover_rule_files", "load_rules"]

RULE_SUFFIXES = (".yml", ".yaml")


@dataclass
class RuleSet:
    """What :func:`load_rules` returns."""

    rules: list[CompiledRule] = field(default_factory=list)
    correlations: list[SigmaCorrelationRule] = field(default_factory=list)
    problems: list[RuleError] = field(default_factory=list)
    files_read: int = 0
    filters: list[SigmaFilter] = field(default_factory=list)


@dataclass
class _Documents:
    rules: list[Sourced[SigmaRule]] = field(default_factory=list)
    correlations: list[Sourced[SigmaCorrelationRule]] = field(default_factory=list)
    filters: list[Sourced[SigmaFilter]] = field(default_factory=list)
    problems: list[RuleError] = field(default_factory=list)


def discover_rule_files(paths: Sequence[Path], problems: list[RuleError]) -> list[Path]:
    """Files as given, directories searched recursively for ``*.yml``/``*.yaml``."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p for p in path.rglob("*") if p.suffix.lower() in RULE_SUFFIXES and p.is_file()
                )
            )
        elif path.is_file():
            found.append(path)
        else:
            problems.append(RuleError("no such rule file or directory", source=str(path)))
    return found


def _reason(error: Exception) -> str:
    return str(error.args[0]) if error.args else type(error).__name__


def _read_documents(path: Path, docs: _Documents) -> list[dict[str, Any]]:
    source = str(path)
    try:
        loaded = load_yaml_documents(path.read_text(encoding="utf-8"), source=source)
    except (OSError, UnicodeDecodeError) as exc:
        docs.problems.append(RuleError(f"cannot read: {exc}", source=source))
        return []
    except InputError as exc:
        docs.problems.append(RuleError(exc.reason, source=source))
        return []
    good: list[dict[str, Any]] = []
    for number, doc in enumerate(loaded, start=1):
        if isinstance(doc, dict):
            good.append(doc)
        elif doc is not None:
            docs.problems.append(
                RuleError(f"YAML document {number} is not a mapping", source=source)
            )
    return good


def _collect_file(path: Path, docs: _Documents) -> None:
    source = str(path)
    dicts = _read_documents(path, docs)
    if not dicts:
        return
    try:
        collection = SigmaCollection.from_dicts(
            dicts,
            collect_errors=True,
            source=SigmaRuleLocation(path),
            collect_filters=True,
            resolve_references=False,
        )
    except SigmaError as exc:
        docs.problems.append(RuleError(_reason(exc), source=source))
        return
    attached: set[int] = set()
    items: Iterable[SigmaRule | SigmaCorrelationRule | SigmaFilter] = [
        *collection.rules,
        *collection.filters,
    ]
    for item in items:
        attached.update(id(error) for error in item.errors)
        if item.errors:
            reasons = "; ".join(dict.fromkeys(_reason(error) for error in item.errors))
            docs.problems.append(
                RuleError(reasons, source=source, rule_id=str(item.id or item.name or item.title))
            )
        elif isinstance(item, SigmaFilter):
            docs.filters.append(Sourced(item, source))
        elif isinstance(item, SigmaCorrelationRule):
            docs.correlations.append(Sourced(item, source))
        else:
            docs.rules.append(Sourced(item, source))
    docs.problems.extend(
        RuleError(_reason(error), source=source)
        for error in collection.errors
        if id(error) not in attached
    )


def _resolve_correlations(docs: _Documents) -> list[Sourced[SigmaCorrelationRule]]:
    """Resolve correlation references (by id or name); report the unresolvable."""
    everything: list[SigmaRule | SigmaCorrelationRule] = [
        *(entry.item for entry in docs.rules),
        *(entry.item for entry in docs.correlations),
    ]
    collection = SigmaCollection(everything, resolve_references=False)  # type: ignore[arg-type]
    resolved: list[Sourced[SigmaCorrelationRule]] = []
    for entry in docs.correlations:
        try:
            entry.item.resolve_rule_references(collection)
        except SigmaError as exc:
            docs.problems.append(
                RuleError(
                    _reason(exc), source=entry.source, rule_id=str(entry.item.id or entry.item.name)
                )
            )
            continue
        resolved.append(entry)
    return resolved


def _referenced(correlations: Iterable[SigmaCorrelationRule]) -> set[int]:
    """ids (Python object ids) of every rule a correlation refers to, transitively."""
    seen: set[int] = set()
    stack = list(correlations)
    while stack:
        correlation = stack.pop()
        for reference in getattr(correlation, "referenced_rules", None) or []:
            target = reference.rule
            if id(target) not in seen:
                seen.add(id(target))
                if isinstance(target, SigmaCorrelationRule):
                    stack.append(target)
    return seen


def load_rules(
    paths: Sequence[Path],
    *,
    selection: RuleSelection | None = None,
    placeholders: Path | None = None,
) -> RuleSet:
    """Load, filter, select and compile every rule under ``paths``.

    A malformed placeholder file raises :class:`~shieldwall.model.errors.InputError`;
    every problem with a rule is collected in ``RuleSet.problems`` instead.
    """
    register_aliases()
    values = load_placeholders(placeholders) if placeholders is not None else {}
    docs = _Documents()
    files = discover_rule_files(paths, docs.problems)
    for path in files:
        _collect_file(path, docs)
    rules = apply_filters(docs.filters, docs.rules, docs.problems)
    correlations = _resolve_correlations(docs)
    if selection is not None:
        correlations = [entry for entry in correlations if selection.keeps(entry.item)]
        needed = _referenced(entry.item for entry in correlations)
        rules = [
            entry for entry in rules if selection.keeps(entry.item) or id(entry.item) in needed
        ]
    compiled: list[CompiledRule] = []
    for entry in rules:
        try:
            compiled.append(compile_rule(entry.item, entry.source, values))
        except RuleError as exc:
            docs.problems.append(exc)
    _drop_broken_correlations(correlations, compiled, docs.problems)
    return RuleSet(
        rules=compiled,
        correlations=[entry.item for entry in correlations],
        problems=docs.problems,
        files_read=len(files),
        filters=[entry.item for entry in docs.filters],
    )


def _drop_broken_correlations(
    correlations: list[Sourced[SigmaCorrelationRule]],
    compiled: Sequence[CompiledRule],
    problems: list[RuleError],
) -> None:
    """A correlation whose base rule failed to compile cannot run: report and drop it."""
    compiled_ids = {id(rule.sigma) for rule in compiled}
    kept_ids = {id(entry.item) for entry in correlations}
    for entry in list(correlations):
        for reference in getattr(entry.item, "referenced_rules", None) or []:
            target = reference.rule
            if id(target) not in compiled_ids | kept_ids:
                problems.append(
                    RuleError(
                        f"referenced rule {reference.reference} did not load",
                        source=entry.source,
                        rule_id=str(entry.item.id or entry.item.name),
                    )
                )
                correlations.remove(entry)
                break


def identity(rule: SigmaRule, source: str) -> str:
    """Re-export for callers that name rules the way the loader does."""
    return rule_identity(rule, source)
