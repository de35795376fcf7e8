"""Rule files into pySigma documents: discovery, bounded YAML, and pySigma's checks.

Each file's documents become :class:`Documents` entries (rules, correlations, filters) with
the file they came from; every problem becomes a :class:`RuleError` naming the file (and
rule id), and reading goes on with the rest.
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
from shieldwall.detect.sigma.filters import Sourced
from shieldwall.model.errors import InputError, RuleError

RULE_SUFFIXES = (".yml", ".yaml")


@dataclass
class Documents:
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


def reason(error: Exception) -> str:
    return str(error.args[0]) if error.args else type(error).__name__


def read_documents(path: Path, data: bytes, docs: Documents) -> list[dict[str, Any]]:
    source = str(path)
    try:
        loaded = load_yaml_documents(data.decode("utf-8"), source=source)
    except UnicodeDecodeError as exc:
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


def collect_file(path: Path, data: bytes, docs: Documents) -> None:
    source = str(path)
    dicts = read_documents(path, data, docs)
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
        docs.problems.append(RuleError(reason(exc), source=source))
        return
    attached: set[int] = set()
    items: Iterable[SigmaRule | SigmaCorrelationRule | SigmaFilter] = [
        *collection.rules,
        *collection.filters,
    ]
    for item in items:
        attached.update(id(error) for error in item.errors)
        if item.errors:
            reasons = "; ".join(dict.fromkeys(reason(error) for error in item.errors))
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
        RuleError(reason(error), source=source)
        for error in collection.errors
        if id(error) not in attached
    )
