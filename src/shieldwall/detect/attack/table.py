"""Build the compact ATT&CK technique table from MITRE's STIX 2.1 bundle.

The full Enterprise bundle is ~45 MB of JSON (relationships, groups, software, prose). A scan
only needs technique id → name and tactics, so the project ships that projection (~50 KB) as
``techniques.json`` inside the package, and ``shieldwall attack load FILE`` writes a fresh one
into the data directory. Both are made by :func:`build_table`, so a test can check that the
shipped file is exactly what the generator makes from the bundle.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from shieldwall.model.errors import InputError

TABLE_FORMAT = 1
"""Bumped when the table's layout changes; readers refuse other versions."""

ATTACK_LICENCE = (
    "The MITRE Corporation (MITRE) hereby grants you a non-exclusive, royalty-free license to "
    "use ATT&CK® for research, development, and commercial purposes. Any copy you make for such "
    "purposes is authorized provided that you reproduce MITRE's copyright designation and this "
    "license in any such copy. "
    '"© 2025 The MITRE Corporation. This work is reproduced and distributed with the '
    'permission of The MITRE Corporation." '
    "MITRE does not claim ATT&CK enumerates all possibilities for the types of actions and "
    "behaviors documented as part of its adversary model and framework of techniques. Using "
    "the information contained within ATT&CK to address or cover full categories of techniques "
    "will not guarantee full defensive coverage as there may be undisclosed techniques or "
    "variations on existing techniques not documented by ATT&CK. "
    'ALL DOCUMENTS AND THE INFORMATION CONTAINED THEREIN ARE PROVIDED ON AN "AS IS" BASIS AND '
    "THE CONTRIBUTOR, THE ORGANIZATION HE/SHE REPRESENTS OR IS SPONSORED BY (IF ANY), THE MITRE "
    "CORPORATION, ITS BOARD OF TRUSTEES, OFFICERS, AGENTS, AND EMPLOYEES, DISCLAIM ALL "
    "WARRANTIES, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO ANY WARRANTY THAT THE USE OF "
    "THE INFORMATION THEREIN WILL NOT INFRINGE ANY RIGHTS OR ANY IMPLIED WARRANTIES OF "
    "MERCHANTABILITY OR FITNESS FOR A PARTICULAR PURPOSE."
)
"""The ATT&CK licence (``data/attack/LICENSE.txt``), which every copy must reproduce."""

MITRE_SOURCE = "mitre-attack"


def read_bundle(path: Path) -> dict[str, Any]:
    """Read a STIX bundle from a ``.json`` or ``.json.gz`` file."""
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        bundle = json.loads(raw)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=str(path)) from exc
    except (EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"corrupt gzip: {exc}", source=str(path)) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not JSON: {exc}", source=str(path)) from exc
    if not isinstance(bundle, dict) or not isinstance(bundle.get("objects"), list):
        raise InputError("not a STIX bundle (no 'objects' list)", source=str(path))
    return bundle


def build_table(bundle: Mapping[str, Any], *, source_name: str) -> dict[str, Any]:
    """Project a STIX bundle onto the compact table (techniques, tactics, revocations)."""
    objects = [obj for obj in bundle["objects"] if isinstance(obj, dict)]
    techniques = _techniques(objects)
    if not techniques:
        raise InputError("the bundle holds no ATT&CK technique", source=source_name)
    return {
        "format": TABLE_FORMAT,
        "notice": _notice(objects),
        "source": source_name,
        "tactics": _tactics(objects),
        "techniques": techniques,
        "revoked_by": _revocations(objects),
    }


def table_json(table: Mapping[str, Any]) -> str:
    """Serialise a table deterministically (sorted keys, one technique per line)."""
    return json.dumps(table, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _items(obj: Mapping[str, Any], key: str) -> list[Any]:
    """A list-valued property, or an empty list when it is absent or not a list."""
    value = obj.get(key)
    return value if isinstance(value, list) else []


def _attack_id(obj: Mapping[str, Any]) -> str | None:
    for ref in _items(obj, "external_references"):
        if isinstance(ref, dict) and ref.get("source_name") == MITRE_SOURCE:
            external_id = ref.get("external_id")
            return str(external_id) if external_id else None
    return None


def _is_current(obj: Mapping[str, Any]) -> bool:
    return not obj.get("revoked") and not obj.get("x_mitre_deprecated")


def _phases(obj: Mapping[str, Any]) -> list[str]:
    phases = _items(obj, "kill_chain_phases")
    names = (p.get("phase_name") for p in phases if isinstance(p, dict))
    return sorted({str(name) for name in names if name})


def _techniques(objects: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for obj in objects:
        if obj.get("type") != "attack-pattern" or not _is_current(obj):
            continue
        attack_id = _attack_id(obj)
        if attack_id:
            table[attack_id] = {"name": str(obj.get("name", "")), "tactics": _phases(obj)}
    return table


def _tactics(objects: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    tactics: dict[str, dict[str, str]] = {}
    for obj in objects:
        if obj.get("type") != "x-mitre-tactic" or not _is_current(obj):
            continue
        shortname = obj.get("x_mitre_shortname")
        if shortname:
            name = str(obj.get("name", shortname))
            tactics[str(shortname)] = {"id": _attack_id(obj) or "", "name": name}
    return tactics


def _revocations(objects: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Map a revoked technique id to the id that replaced it (rules still use old ids)."""
    ids = {
        str(obj.get("id")): _attack_id(obj)
        for obj in objects
        if obj.get("type") == "attack-pattern"
    }
    revoked: dict[str, str] = {}
    for obj in objects:
        if obj.get("type") != "relationship" or obj.get("relationship_type") != "revoked-by":
            continue
        old, new = ids.get(str(obj.get("source_ref"))), ids.get(str(obj.get("target_ref")))
        if old and new and old != new:
            revoked[old] = new
    return {old: _follow(revoked, old) for old in revoked}


def _follow(revoked: Mapping[str, str], start: str) -> str:
    """The last id in a chain of revocations (A revoked by B, B revoked by C → C)."""
    seen = {start}
    current = revoked[start]
    while current in revoked and current not in seen:
        seen.add(current)
        current = revoked[current]
    return current


def _notice(objects: Iterable[Mapping[str, Any]]) -> str:
    statements = sorted(
        str(obj["definition"]["statement"])
        for obj in objects
        if obj.get("type") == "marking-definition"
        and isinstance(obj.get("definition"), dict)
        and obj["definition"].get("statement")
    )
    return " ".join([*statements, ATTACK_LICENCE])
