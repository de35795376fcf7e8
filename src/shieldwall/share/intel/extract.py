"""What an object version is indexed by: references, labels, techniques, observables.

Observables come from cyber observables themselves and from the comparisons of indicator
patterns (``[ipv4-addr:value = '10.0.0.0/8']``), through the pattern parser of
``stix2-patterns``. ATT&CK techniques come from ``external_references`` whose source is
``mitre-attack`` (attack-patterns, and any object citing a technique that way).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from shieldwall.model.intel import IndexTerm
from shieldwall.policy.references import MARKING_REF_FIELDS
from shieldwall.share.intel.observables import HASH_NAMES, term
from shieldwall.share.intel.pattern_read import Comparison, read_pattern

SCO_VALUE_KINDS = {
    "ipv4-addr": "ip",
    "ipv6-addr": "ip",
    "domain-name": "domain",
    "url": "url",
    "email-addr": "email",
}
"""Cyber-observable types whose ``value`` is an observable we index."""

PATTERN_PATHS: Mapping[tuple[str, str], str] = {
    ("ipv4-addr", "value"): "ip",
    ("ipv6-addr", "value"): "ip",
    ("domain-name", "value"): "domain",
    ("url", "value"): "url",
    ("email-addr", "value"): "email",
    ("email-message", "from_ref.value"): "email",
    ("network-traffic", "dst_ref.value"): "ip",
    ("network-traffic", "src_ref.value"): "ip",
}
"""Pattern object paths (type, property path) whose compared value we index."""

ATTACK_SOURCES = frozenset({"mitre-attack", "mitre-ics-attack", "mitre-mobile-attack"})


def references(obj: Mapping[str, Any]) -> tuple[str, ...]:
    """Every id the object references at any depth, markings excepted, in order met."""
    found: dict[str, None] = {}
    for ref in _walk_refs(obj):
        found.setdefault(ref, None)
    return tuple(found)


def _walk_refs(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in MARKING_REF_FIELDS:
                continue
            if key.endswith("_ref") and isinstance(item, str):
                yield item
            elif key.endswith("_refs") and isinstance(item, list):
                yield from (ref for ref in item if isinstance(ref, str))
            else:
                yield from _walk_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_refs(item)


def index_terms(
    obj: Mapping[str, Any], comparisons: Iterable[Comparison] | None = None
) -> tuple[IndexTerm, ...]:
    """Labels, techniques, observables and sighting targets of one object.

    ``comparisons`` are the indicator's pattern as validation read it; without them a
    STIX pattern is read here.
    """
    terms: dict[tuple[str, str], IndexTerm] = {}
    for found in _all_terms(obj, comparisons):
        terms.setdefault((found.kind, found.value), found)
    return tuple(terms.values())


def _all_terms(
    obj: Mapping[str, Any], comparisons: Iterable[Comparison] | None
) -> Iterator[IndexTerm]:
    for label in _listed(obj, "labels"):
        if isinstance(label, str) and label:
            yield IndexTerm("label", label[:512])
    yield from _techniques(obj)
    yield from _observables(obj)
    if obj.get("type") == "sighting" and isinstance(obj.get("sighting_of_ref"), str):
        yield IndexTerm("sighting-of", obj["sighting_of_ref"])
    if comparisons is not None:
        yield from comparison_terms(comparisons)
    elif obj.get("type") == "indicator" and obj.get("pattern_type") == "stix":
        yield from pattern_terms(str(obj.get("pattern", "")))


def _listed(obj: Mapping[str, Any], key: str) -> Sequence[Any]:
    """The object's list under ``key``; none when it holds anything else (``101``): terms
    are read before the library has had its say on a member's object."""
    found = obj.get(key)
    return found if isinstance(found, list | tuple) else ()


def _techniques(obj: Mapping[str, Any]) -> Iterator[IndexTerm]:
    for ref in _listed(obj, "external_references"):
        if not isinstance(ref, Mapping) or ref.get("source_name") not in ATTACK_SOURCES:
            continue
        ident = ref.get("external_id")
        if isinstance(ident, str) and ident.upper().startswith("T"):
            yield IndexTerm("technique", ident.upper())


def _observables(obj: Mapping[str, Any]) -> Iterator[IndexTerm]:
    kind = SCO_VALUE_KINDS.get(str(obj.get("type")))
    value = obj.get("value")
    if kind is not None and isinstance(value, str):
        found = term(kind, value)
        if found is not None:
            yield found
    hashes = obj.get("hashes")
    if isinstance(hashes, Mapping):
        for name, digest in hashes.items():
            hash_kind = HASH_NAMES.get(str(name).lower())
            if hash_kind is not None and isinstance(digest, str):
                found = term(hash_kind, digest)
                if found is not None:
                    yield found


def pattern_terms(pattern: str) -> Iterator[IndexTerm]:
    """Observables compared for equality (or subset, for CIDR) in a STIX 2.1 pattern.

    :class:`~.pattern_read.PatternError` (a ValueError) if the pattern is not valid.
    """
    yield from comparison_terms(read_pattern(pattern))


def comparison_terms(comparisons: Iterable[Comparison]) -> Iterator[IndexTerm]:
    """The observables of comparisons for equality, membership or CIDR subset."""
    for comparison in comparisons:
        kind = _pattern_kind(comparison.object_type, comparison.path)
        if kind is None or comparison.operator not in ("=", "ISSUBSET", "IN"):
            continue
        for value in _literals(comparison.literal):
            found = term(kind, value)
            if found is not None:
                yield found


def _pattern_kind(object_type: str, path: tuple[str, ...]) -> str | None:
    if object_type == "file" and len(path) == 2 and path[0] == "hashes":
        return HASH_NAMES.get(path[1].lower())
    return PATTERN_PATHS.get((object_type, ".".join(path)))


def _literals(literal: str) -> Iterator[str]:
    text = literal.strip()
    if text.startswith("(") and text.endswith(")"):
        for part in text[1:-1].split(","):
            yield from _literals(part)
        return
    if len(text) >= 2 and text[0] == "'" and text[-1] == "'":
        yield text[1:-1].replace("\\'", "'").replace("\\\\", "\\")
