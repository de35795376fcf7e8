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

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import SigmaError
from sigma.filters import SigmaFilter
from sigma.rule import SigmaRule

from shieldwall.detect.sigma.cache import RuleCache
from shieldwall.detect.sigma.compiler import CompiledRule, compile_rule, rule_identity
from shieldwall.detect.sigma.documents import (
    Documents,
    collect_file,
    discover_rule_files,
    reason,
)
from shieldwall.detect.sigma.filters import Sourced, apply_filters
from shieldwall.detect.sigma.modifiers import register_aliases
from shieldwall.detect.sigma.placeholders import Placeholders, load_placeholders
from shieldwall.detect.sigma.selection import RuleSelection
from shieldwall.model.errors import RuleError

__all__ = ["RuleSelection", "RuleSet", "discover_rule_files", "load_rule_texts", "load_rules"]


@dataclass
class RuleSet:
    """What :func:`load_rules` returns."""

    rules: list[CompiledRule] = field(default_factory=list)
    correlations: list[SigmaCorrelationRule] = field(default_factory=list)
    problems: list[RuleError] = field(default_factory=list)
    files_read: int = 0
    filters: list[SigmaFilter] = field(default_factory=list)
    cache_hits: int = 0
    """Files whose rules came from the rule cache."""


def _resolve_correlations(docs: Documents) -> list[Sourced[SigmaCorrelationRule]]:
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
                    reason(exc), source=entry.source, rule_id=str(entry.item.id or entry.item.name)
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
    cache: Path | None = None,
) -> RuleSet:
    """Load, filter, select and compile every rule under ``paths``.

    With ``cache`` (a directory), each file's compiled rules are taken from the rule cache
    (:mod:`.cache`) when its bytes, the engine and the placeholder values are unchanged,
    and stored there after compiling otherwise. A rule set with filter or correlation
    documents is loaded without the cache (filters rewrite, and correlations name, the
    pySigma rules, which the cache does not keep), each file still parsed once.

    A malformed placeholder file raises :class:`~shieldwall.model.errors.InputError`;
    every problem with a rule is collected in ``RuleSet.problems`` instead.
    """
    register_aliases()
    values = load_placeholders(placeholders) if placeholders is not None else {}
    with _collector_paused():
        return _load(paths, selection, values, cache)


def load_rule_texts(texts: Sequence[tuple[str, bytes]]) -> RuleSet:
    """Load rules kept as texts (the centre's managed rules), each named by its source.

    The same documents, budgets, filters, correlations and compiler as :func:`load_rules`;
    every problem names the text's source.
    """
    register_aliases()
    with _collector_paused():
        docs = Documents()
        for source, data in texts:
            _merge(docs, _parsed(Path(source), data))
        return _finish(docs, _compile_selected(docs, None, {}), len(texts))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading builds about a million lasting objects and almost no garbage cycles, so the
    cyclic collector only walks them again and again: measured on the 2,407 Windows rules,
    a warm load takes 0.75 s without it and 2-4 s with it, a cold one 2.8 s against 9-17 s.
    The previous state is restored after; cycles left meanwhile are collected later."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load(
    paths: Sequence[Path],
    selection: RuleSelection | None,
    values: Placeholders,
    cache: Path | None,
) -> RuleSet:
    problems: list[RuleError] = []
    files = [
        (path, data)
        for path in discover_rule_files(paths, problems)
        if (data := _read_bytes(path, problems)) is not None
    ]
    parsed: dict[int, Documents] = {}
    if cache is not None:
        store = RuleCache(cache, values, paths)
        cached = _load_cached(files, store, selection, problems, parsed)
        if cached is not None:
            return cached
    docs = Documents(problems=list(problems))
    for index, (path, data) in enumerate(files):
        _merge(docs, parsed.get(index) or _parsed(path, data))
    return _finish(docs, _compile_selected(docs, selection, values), len(files))


def _parsed(path: Path, data: bytes) -> Documents:
    """One file's documents and problems on their own."""
    one = Documents()
    collect_file(path, data, one)
    return one


def _merge(into: Documents, one: Documents) -> None:
    into.rules.extend(one.rules)
    into.correlations.extend(one.correlations)
    into.filters.extend(one.filters)
    into.problems.extend(one.problems)


def _read_bytes(path: Path, problems: list[RuleError]) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as exc:
        problems.append(RuleError(f"cannot read: {exc}", source=str(path)))
        return None


def _compile_selected(
    docs: Documents, selection: RuleSelection | None, values: Placeholders
) -> list[CompiledRule]:
    """Apply filters, resolve correlations, select, and compile what is left."""
    rules = apply_filters(docs.filters, docs.rules, docs.problems)
    docs.correlations = _resolve_correlations(docs)
    if selection is not None:
        docs.correlations = [entry for entry in docs.correlations if selection.keeps(entry.item)]
        needed = _referenced(entry.item for entry in docs.correlations)
        rules = [
            entry for entry in rules if selection.keeps(entry.item) or id(entry.item) in needed
        ]
    return _compile_all(rules, values, docs.problems)


def _compile_all(
    rules: Iterable[Sourced[SigmaRule]], values: Placeholders, problems: list[RuleError]
) -> list[CompiledRule]:
    compiled: list[CompiledRule] = []
    for entry in rules:
        try:
            compiled.append(compile_rule(entry.item, entry.source, values))
        except RuleError as exc:
            problems.append(exc)
    return compiled


def _finish(
    docs: Documents,
    compiled: list[CompiledRule],
    files_read: int,
    cache_hits: int = 0,
) -> RuleSet:
    _drop_broken_correlations(docs.correlations, compiled, docs.problems)
    return RuleSet(
        rules=compiled,
        correlations=[entry.item for entry in docs.correlations],
        problems=docs.problems,
        files_read=files_read,
        filters=[entry.item for entry in docs.filters],
        cache_hits=cache_hits,
    )


def _load_cached(
    files: Sequence[tuple[Path, bytes]],
    store: RuleCache,
    selection: RuleSelection | None,
    problems: list[RuleError],
    parsed: dict[int, Documents],
) -> RuleSet | None:
    """The rule set through the cache, or None when it holds filters or correlations.

    Files that miss are parsed first (into ``parsed``, by file index, so that a rule set
    the cache cannot serve is not parsed twice); only when none of them holds a filter or
    a correlation are they compiled, each file alone (all its rules, selected or not, so
    its entry is whole), and stored when every document became a rule.
    """
    found: list[list[CompiledRule] | None] = []
    for index, (path, data) in enumerate(files):
        found.append(store.get(store.key(data), str(path)))
        if found[-1] is None:
            parsed[index] = _parsed(path, data)
    if any(one.filters or one.correlations for one in parsed.values()):
        return None
    docs = Documents(problems=list(problems))
    for one in parsed.values():
        docs.problems.extend(one.problems)
    for index, one in parsed.items():
        reported = len(docs.problems)
        found[index] = _compile_all(one.rules, store.values, docs.problems)
        if not one.problems and len(docs.problems) == reported and found[index]:
            store.put(store.key(files[index][1]), found[index] or [])
    store.save()
    rules = [rule for compiled in found for rule in compiled or []]
    if selection is not None:
        rules = [rule for rule in rules if selection.keeps(rule.facts)]
    return _finish(docs, rules, len(files), store.hits)


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
