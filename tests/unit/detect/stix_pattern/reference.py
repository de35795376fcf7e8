"""The same observations for ``stix2-matcher``: STIX 2.1 bundles of observed-data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from stix2matcher.matcher import match  # type: ignore[import-untyped]

from shieldwall.detect.stix_pattern import PatternSet, PatternStates, compile_pattern


def _sco_id(kind: str, observation: int, key: str) -> str:
    return f"{kind}--00000000-0000-4000-8000-{observation:06d}{int(key):06d}"


def bundle(index: int, objects: Mapping[str, Mapping[str, Any]], when: datetime) -> dict[str, Any]:
    """One observation as a bundle: the observed-data and its SCOs, refs rewritten."""
    ids = {key: _sco_id(str(obj["type"]), index, key) for key, obj in objects.items()}
    scos = []
    for key, obj in objects.items():
        sco = {name: (ids.get(value, value) if name.endswith("_ref") else value)
               for name, value in obj.items()}  # fmt: skip
        scos.append({**sco, "id": ids[key], "spec_version": "2.1"})
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    observed = {
        "type": "observed-data",
        "spec_version": "2.1",
        "id": f"observed-data--00000000-0000-4000-8000-{index:012d}",
        "created": stamp,
        "modified": stamp,
        "first_observed": stamp,
        "last_observed": stamp,
        "number_observed": 1,
        "object_refs": list(ids.values()),
    }
    return {"type": "bundle", "id": f"bundle--{index}", "objects": [observed, *scos]}


def reference_verdict(
    pattern: str, stream: Sequence[tuple[Mapping[str, Mapping[str, Any]], datetime]]
) -> bool:
    """Whether ``stix2-matcher`` matches the pattern on the whole sequence."""
    if not stream:
        return False
    bundles = [bundle(i, objects, when) for i, (objects, when) in enumerate(stream)]
    return bool(match(pattern, bundles, stix_version="2.1"))


def stream_verdict(
    pattern: str, stream: Sequence[tuple[Mapping[str, Mapping[str, Any]], datetime]]
) -> bool:
    """Whether our engine fires at any point while the sequence streams in, in order,
    each event meeting only the patterns the index names for it."""
    compiled = compile_pattern("indicator--x", pattern, max_window=10**7)
    states, indexed = PatternStates(max_kept=10_000), PatternSet([compiled])
    fired = False
    for objects, when in stream:
        candidates = indexed.candidates(objects)
        assert candidates in ([], [compiled])
        fired |= bool(states.observe("m", candidates, objects, when))
    return fired


def unindexed_verdict(
    pattern: str, stream: Sequence[tuple[Mapping[str, Mapping[str, Any]], datetime]]
) -> bool:
    """The same, every event meeting the pattern (no index)."""
    compiled = compile_pattern("indicator--x", pattern, max_window=10**7)
    states = PatternStates(max_kept=10_000)
    return any(states.observe("m", [compiled], objects, when) for objects, when in stream)
