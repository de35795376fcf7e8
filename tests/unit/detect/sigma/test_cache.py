"""The rule cache: a warm load equals a cold one, and only what changed is compiled again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shieldwall.detect.engine import Engine
from shieldwall.detect.sigma.cache import RuleCache
from shieldwall.detect.sigma.loader import RuleSelection, RuleSet, load_rules
from shieldwall.model.detection import Level
from tests.unit.detect.sigma.conftest import SigmaKit, event, rule_doc

DETECTIONS: list[dict[str, Any]] = [
    {
        "s": {"CommandLine|contains": ["mimikatz", "sekurlsa", "lsadump", "kerberos::"]},
        "condition": "s",
    },
    {"s": {"Image|endswith": "\\cmd.exe", "User|startswith": "NT AUTHORITY"}, "condition": "s"},
    {"s": {"CommandLine|re": "-e(nc)?\\s+[A-Za-z0-9+/=]{8,}"}, "condition": "s"},
    {"s": {"CommandLine|re|i": "INVOKE-.*EXPRESSION"}, "condition": "s"},
    {"s": {"Port": [4444, 1337]}, "f": {"Image": None}, "condition": "s and not f"},
    {"s": {"DestinationIp|cidr": "10.0.0.0/8"}, "condition": "s"},
    {"s": {"Port|gte": 50000}, "condition": "s"},
    {"s": {"Hashes|exists": True, "Image|fieldref": "ParentImage"}, "condition": "s"},
    {"s": ["evil?.exe", "*payload*"], "condition": "s"},
    {"s": {"Flag": True}, "condition": "s"},
    {"s": {"CommandLine|cased": "ExAcT"}, "condition": "s"},
    {"a": {"Image|endswith": ".exe"}, "b": {"Port": 8080}, "condition": "1 of a* or all of b*"},
]
EVENTS: list[dict[str, Any]] = [
    {"CommandLine": "x sekurlsa::logonpasswords", "Image": "C:\\m.exe", "Port": 4444},
    {"Image": "C:\\Windows\\cmd.exe", "User": "NT AUTHORITY\\SYSTEM"},
    {"CommandLine": "powershell -enc SQBFAFgAIAAoAE4AZQB3AC", "DestinationIp": "10.1.2.3"},
    {"CommandLine": "invoke-someexpression", "Port": "60000", "Flag": "true"},
    {"Hashes": "SHA1=1", "Image": "a.exe", "ParentImage": "a.exe", "Port": 1337},
    {"Other": "evil1.exe", "CommandLine": "ExAcT"},
    {"Other": "the payload here", "Port": 8080},
    {"Image": "b.dll", "Port": 22},
]


@pytest.fixture
def rules(kit: SigmaKit) -> Path:
    folder = kit.folder / "rules"
    folder.mkdir()
    for number, detection in enumerate(DETECTIONS):
        level = ["low", "medium", "high"][number % 3]
        kit.write(rule_doc(detection, tags=[f"attack.t10{number:02d}"], level=level),
                  name=f"rules/r{number}.yml")  # fmt: skip
    kit.write(rule_doc(DETECTIONS[0]), rule_doc(DETECTIONS[1], name="named"), name="rules/two.yml")
    return folder


def _shape(ruleset: RuleSet) -> list[tuple[Any, ...]]:
    return [
        (r.rule_id, r.title, r.name, r.level, r.status, r.tags, r.source, r.route, r.requirement)
        for r in ruleset.rules
    ]


def _fired(ruleset: RuleSet) -> list[list[str]]:
    engine = Engine(ruleset)
    return [sorted(d.rule_id for d in engine.match(event(fields))) for fields in EVENTS]


def test_warm_load_has_the_same_rules_and_detections_as_cold(rules: Path, tmp_path: Path) -> None:
    plain = load_rules([rules])
    cold = load_rules([rules], cache=tmp_path / "cache")
    warm = load_rules([rules], cache=tmp_path / "cache")
    assert not plain.problems
    assert (cold.cache_hits, warm.cache_hits) == (0, len(DETECTIONS) + 1)
    assert _shape(warm) == _shape(cold) == _shape(plain)
    assert all(rule.sigma is None for rule in warm.rules)
    fired = _fired(plain)
    assert sum(map(len, fired)) >= len(EVENTS)
    assert _fired(warm) == _fired(cold) == fired


def test_selection_applies_to_cached_rules(rules: Path, tmp_path: Path) -> None:
    selection = RuleSelection(min_level=Level.HIGH, tags=frozenset({"attack.t10*"}))
    load_rules([rules], cache=tmp_path / "cache")
    warm = load_rules([rules], selection=selection, cache=tmp_path / "cache")
    assert warm.cache_hits == len(DETECTIONS) + 1
    assert _shape(warm) == _shape(load_rules([rules], selection=selection))
    assert {rule.level for rule in warm.rules} == {Level.HIGH}


def test_a_changed_file_is_compiled_again_alone(rules: Path, tmp_path: Path) -> None:
    load_rules([rules], cache=tmp_path / "cache")
    changed = rules / "r1.yml"
    changed.write_text(changed.read_text().replace("cmd.exe", "pwsh.exe"), encoding="utf-8")
    warm = load_rules([rules], cache=tmp_path / "cache")
    assert warm.cache_hits == len(DETECTIONS)
    rule = next(r for r in warm.rules if r.source == str(changed))
    assert rule.sigma is not None  # compiled from the file, not taken from the cache
    assert Engine(warm).match(event({"Image": "C:\\pwsh.exe", "User": "NT AUTHORITY\\x"}))
    assert load_rules([rules], cache=tmp_path / "cache").cache_hits == len(DETECTIONS) + 1


def test_a_corrupt_or_truncated_pack_is_ignored_and_rebuilt(rules: Path, tmp_path: Path) -> None:
    cold = load_rules([rules], cache=tmp_path / "cache")
    (pack,) = (tmp_path / "cache").iterdir()
    whole = pack.read_bytes()
    for damaged in (whole[: len(whole) // 2], b"\x00" * 100, b'{"format": 1, "entries": []}'):
        pack.write_bytes(damaged)
        again = load_rules([rules], cache=tmp_path / "cache")
        assert again.cache_hits == 0
        assert _shape(again) == _shape(cold)
        assert pack.read_bytes() != damaged  # written again, whole
    assert load_rules([rules], cache=tmp_path / "cache").cache_hits == len(DETECTIONS) + 1


def test_a_bad_entry_is_ignored_alone(rules: Path, tmp_path: Path) -> None:
    import orjson

    cold = load_rules([rules], cache=tmp_path / "cache")
    (pack,) = (tmp_path / "cache").iterdir()
    data = orjson.loads(pack.read_bytes())
    key = next(iter(data["entries"]))
    data["entries"][key][0]["node"] = ["L", {"k": "re", "f": "A", "r": "(", "fl": 0, "l": ""}]
    pack.write_bytes(orjson.dumps(data))
    again = load_rules([rules], cache=tmp_path / "cache")
    assert again.cache_hits == len(DETECTIONS)
    assert _shape(again) == _shape(cold)


def test_a_pack_others_may_write_is_not_read(rules: Path, tmp_path: Path) -> None:
    load_rules([rules], cache=tmp_path / "cache")
    (pack,) = (tmp_path / "cache").iterdir()
    pack.chmod(0o666)
    assert load_rules([rules], cache=tmp_path / "cache").cache_hits == 0
    assert pack.stat().st_mode & 0o077 == 0  # replaced by a private one


def test_changed_placeholders_miss(kit: SigmaKit, tmp_path: Path) -> None:
    folder = kit.folder / "expand"
    folder.mkdir()
    kit.write(rule_doc({"s": {"User|expand": "%admins%"}, "condition": "s"}), name="expand/r.yml")
    values = tmp_path / "values.yml"
    values.write_text("admins: [alice]\n", encoding="utf-8")
    cache = tmp_path / "cache"
    first = load_rules([folder], placeholders=values, cache=cache)
    assert Engine(first).match(event({"User": "alice"}))
    assert load_rules([folder], placeholders=values, cache=cache).cache_hits == 1
    values.write_text("admins: [bob]\n", encoding="utf-8")
    changed = load_rules([folder], placeholders=values, cache=cache)
    assert changed.cache_hits == 0
    assert Engine(changed).match(event({"User": "bob"}))
    assert not Engine(changed).match(event({"User": "alice"}))


def test_problem_files_and_filters_are_not_cached(kit: SigmaKit, tmp_path: Path) -> None:
    folder = kit.folder / "mixed"
    folder.mkdir()
    kit.write(rule_doc({"s": {"A": "x"}, "condition": "s and nope"}), name="mixed/bad.yml")
    good = rule_doc({"s": {"A": "a"}, "condition": "s"}, id="55555555-0000-0000-0000-000000000001")
    kit.write(good, name="mixed/good.yml")
    cache = tmp_path / "cache"
    load_rules([folder], cache=cache)
    again = load_rules([folder], cache=cache)
    assert again.cache_hits == 1
    assert len(again.problems) == 1
    kit.write(
        {
            "title": "f",
            "logsource": {"product": "test"},
            "filter": {"rules": ["55555555-0000-0000-0000-000000000001"],
                       "selection": {"B": "b"}, "condition": "not selection"},
        },
        name="mixed/filter.yml",
    )  # fmt: skip
    filtered = load_rules([folder], cache=cache)
    assert filtered.cache_hits == 0
    assert Engine(filtered).match(event({"A": "a"}))
    assert not Engine(filtered).match(event({"A": "a", "B": "b"}))


def test_the_key_depends_on_bytes_and_placeholders(tmp_path: Path) -> None:
    plain = RuleCache(tmp_path, {}, [tmp_path])
    other = RuleCache(tmp_path, {"x": ("1",)}, [tmp_path])
    assert plain.key(b"a") != plain.key(b"b")
    assert plain.key(b"a") != other.key(b"a")
    assert plain.key(b"a") == RuleCache(tmp_path, {}, [tmp_path]).key(b"a")


def test_a_rule_set_with_a_correlation_is_parsed_once_and_loads_as_without_cache(
    kit: SigmaKit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shieldwall.detect.sigma.loader as loader

    folder = kit.folder / "correlated"
    folder.mkdir()
    base = rule_doc({"s": {"A": "a"}, "condition": "s"}, name="base_rule")
    kit.write(base, name="correlated/base.yml")
    kit.write(rule_doc({"s": {"B": "b"}, "condition": "s"}), name="correlated/other.yml")
    correlation = {
        "title": "many a",
        "name": "many_a",
        "correlation": {
            "type": "event_count",
            "rules": ["base_rule"],
            "group-by": ["A"],
            "timespan": "1m",
            "condition": {"gte": 2},
        },
    }
    kit.write(correlation, name="correlated/corr.yml")
    plain = load_rules([folder])
    calls: list[str] = []
    real = loader.collect_file
    monkeypatch.setattr(
        loader,
        "collect_file",
        lambda path, data, docs: (calls.append(path.name), real(path, data, docs)),
    )
    cached = load_rules([folder], cache=tmp_path / "cache")
    assert sorted(calls) == ["base.yml", "corr.yml", "other.yml"]
    assert _shape(cached) == _shape(plain)
    assert [c.name for c in cached.correlations] == ["many_a"]
    assert not list((tmp_path / "cache").glob("*.json"))
