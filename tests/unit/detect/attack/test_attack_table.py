"""The compact table: what the generator keeps from a STIX bundle, and what it refuses."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.detect.attack.table import (
    ATTACK_LICENCE,
    build_table,
    read_bundle,
    table_json,
)
from shieldwall.model.errors import InputError
from tests.unit.detect.attack.attack_bundles import revoked_by, small_bundle, technique


def test_current_techniques_are_kept_with_names_and_tactics() -> None:
    table = build_table(small_bundle(), source_name="test.json")
    assert table["techniques"] == {
        "T1059": {"name": "Command and Scripting Interpreter", "tactics": ["execution"]},
        "T1059.001": {"name": "PowerShell", "tactics": ["execution"]},
        "T1218": {"name": "System Binary Proxy Execution", "tactics": ["defense-evasion"]},
    }


def test_revoked_and_deprecated_techniques_are_skipped_but_revocations_kept() -> None:
    table = build_table(small_bundle(), source_name="test.json")
    assert "T1086" not in table["techniques"]
    assert "T1064" not in table["techniques"]
    assert table["revoked_by"] == {"T1086": "T1059.001"}


def test_revocation_chains_resolve_to_the_last_successor() -> None:
    bundle = small_bundle()
    bundle["objects"] += [
        technique("T1000", "Older", ["execution"], revoked=True),
        revoked_by("T1000", "T1086"),
    ]
    table = build_table(bundle, source_name="test.json")
    assert table["revoked_by"]["T1000"] == "T1059.001"


def test_tactics_are_indexed_by_shortname() -> None:
    table = build_table(small_bundle(), source_name="test.json")
    assert table["tactics"]["defense-evasion"] == {"id": "TA0005", "name": "Defense Evasion"}


def test_notice_reproduces_the_marking_statement_and_the_licence() -> None:
    notice = build_table(small_bundle(), source_name="test.json")["notice"]
    assert notice.startswith("Copyright test, The MITRE Corporation.")
    assert ATTACK_LICENCE in notice
    assert "© 2025 The MITRE Corporation" in notice


def test_a_bundle_without_techniques_is_refused_by_name() -> None:
    with pytest.raises(InputError, match=r"empty\.json"):
        build_table({"objects": []}, source_name="empty.json")


def test_read_bundle_accepts_plain_and_gzip(tmp_path: Path) -> None:
    data = json.dumps(small_bundle()).encode()
    (tmp_path / "plain.json").write_bytes(data)
    (tmp_path / "packed.json.gz").write_bytes(gzip.compress(data))
    assert read_bundle(tmp_path / "plain.json") == read_bundle(tmp_path / "packed.json.gz")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "not JSON"),
        (b'{"type": "bundle"}', "not a STIX bundle"),
        (b"\x1f\x8b\x08\x00truncated", "corrupt gzip"),
    ],
)
def test_read_bundle_names_the_file_and_the_reason(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(InputError, match=reason) as caught:
        read_bundle(path)
    assert caught.value.source == str(path)


def test_read_bundle_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_bundle(tmp_path / "absent.json")


def test_table_json_is_deterministic() -> None:
    first = table_json(build_table(small_bundle(), source_name="x"))
    bundle = small_bundle()
    bundle["objects"].reverse()
    assert table_json(build_table(bundle, source_name="x")) == first


_IDS = st.from_regex(r"T\d{4}(\.\d{3})?", fullmatch=True)
_NAMES = st.text(min_size=1, max_size=20)
_TACTICS = st.lists(st.sampled_from(["execution", "persistence", "impact"]), max_size=3)


@given(st.dictionaries(_IDS, st.tuples(_NAMES, _TACTICS), min_size=1, max_size=20))
def test_every_current_technique_round_trips(entries: dict[str, tuple[str, list[str]]]) -> None:
    objects: list[dict[str, Any]] = [
        technique(tid, name, tactics) for tid, (name, tactics) in entries.items()
    ]
    table = json.loads(table_json(build_table({"objects": objects}, source_name="x")))
    for tid, (name, tactics) in entries.items():
        assert table["techniques"][tid] == {"name": name, "tactics": sorted(set(tactics))}


_JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=10,
)
_KEYS = st.sampled_from(
    [
        "id", "name", "external_references", "kill_chain_phases", "revoked",
        "x_mitre_deprecated", "x_mitre_shortname", "relationship_type", "source_ref",
        "target_ref", "definition",
    ]
)  # fmt: skip
_TYPES = st.sampled_from(
    ["attack-pattern", "x-mitre-tactic", "relationship", "marking-definition", "malware"]
)
_MALFORMED = st.builds(
    lambda kind, rest: {**rest, "type": kind}, _TYPES, st.dictionaries(_KEYS, _JUNK)
)


@given(st.lists(_MALFORMED | _JUNK, max_size=6))
def test_malformed_objects_are_skipped_and_good_ones_kept(junk: list[Any]) -> None:
    objects = [*junk, technique("T1001", "Data Obfuscation", ["command-and-control"])]
    table = build_table({"objects": objects}, source_name="x")
    assert table["techniques"]["T1001"]["name"] == "Data Obfuscation"
    json.loads(table_json(table))
