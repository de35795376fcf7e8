"""Managed rules over the API: versioned changes, every load error listed, members' rules
their own (another member's is absent to them, identically), roles from the one table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.unit.api.conftest import World, build_world

RULE = """\
title: Evil binary started
id: 7c4d7b0e-1c2a-4f55-9b6e-0a8f7d1e2c31
status: test
level: high
logsource: {product: windows, category: process_creation}
detection:
    selection: {Image|endswith: '\\\\evil.exe'}
    condition: selection
"""
RULE_V2 = RULE.replace("evil.exe", "worse.exe")
OWN = """\
title: Alpha's own tool
id: 5f0c9d2e-8b1a-4c3d-9e7f-a1b2c3d4e5f6
level: medium
logsource: {product: windows, category: process_creation}
detection:
    selection: {Image|endswith: '\\\\alphatool.exe'}
    condition: selection
"""
TWO_ERRORS = """\
title: Two problems
id: broken-1
logsource: {product: windows, category: process_creation}
detection:
    selection: {Image|nosuchmodifier: 'x'}
    condition: selection
---
title: A third
id: 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
logsource: {product: windows, category: process_creation}
detection:
    other: {CommandLine|re: '(unclosed'}
    condition: other
"""
BOMB = "id: bomb-1\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 10)}]\n" for n in range(8)
)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    yield built
    built.services.close()


def add(world: World, caller: str, text: str, rule_set: str | None = None) -> Any:
    params = {"set": rule_set} if rule_set else {}
    return world.client.post(
        "/api/v1/rules", json={"text": text}, params=params, headers=world.auth(caller)
    )


def get(world: World, caller: str, path: str, **params: str) -> Any:
    return world.client.get(f"/api/v1{path}", params=params, headers=world.auth(caller))


def test_each_change_is_a_version_and_the_history_is_kept(world: World) -> None:
    first = add(world, "centre-admin", RULE)
    assert first.status_code == 201, first.text
    assert first.json()["set"] == "centre" and first.json()["version"] == 1
    assert add(world, "centre-admin", RULE).json()["version"] == 1  # same text: no change
    assert add(world, "centre-admin", RULE_V2).json()["version"] == 2
    rule_id = first.json()["id"]
    off = world.client.post(
        f"/api/v1/rules/{rule_id}/disable",
        params={"set": "centre"},
        headers=world.auth("centre-admin"),
    )
    assert off.status_code == 200 and off.json()["enabled"] is False and off.json()["version"] == 3
    shown = get(world, "alpha-analyst", f"/rules/{rule_id}", set="centre").json()
    assert shown["text"] == RULE_V2 and shown["enabled"] is False
    assert [(v["version"], v["change"]) for v in shown["history"]] == [
        (1, "added"),
        (2, "updated"),
        (3, "disabled"),
    ]
    assert shown["history"][2]["rule_set_version"] > shown["history"][0]["rule_set_version"]


def test_every_load_error_is_listed_and_nothing_stored(world: World) -> None:
    refused = add(world, "alpha-analyst", TWO_ERRORS)
    assert refused.status_code == 422
    body = refused.json()
    messages = " | ".join(error["message"] for error in body["errors"])
    assert "nosuchmodifier" in messages.lower(), messages
    assert "UUID" in messages and "regular expression" in messages.lower(), messages
    assert refused.headers["content-type"].startswith("application/problem+json")
    bad_yaml = add(world, "alpha-analyst", "id: x\ntitle: [unclosed\n")
    assert bad_yaml.status_code == 422 and "YAML" in bad_yaml.json()["errors"][0]["message"]
    bomb = add(world, "alpha-analyst", BOMB)
    assert bomb.status_code == 422 and bomb.json()["errors"], bomb.text
    assert get(world, "alpha-analyst", "/rules").json()["rules"] == []


def test_a_members_rules_are_absent_to_another_member(world: World) -> None:
    assert add(world, "alpha-analyst", OWN).status_code == 201
    assert add(world, "centre-admin", RULE).status_code == 201
    alpha = {(r["set"], r["id"]) for r in get(world, "alpha-liaison", "/rules").json()["rules"]}
    bravo = {(r["set"], r["id"]) for r in get(world, "bravo-analyst", "/rules").json()["rules"]}
    centre = {(r["set"], r["id"]) for r in get(world, "centre-admin", "/rules").json()["rules"]}
    assert ("alpha", "5f0c9d2e-8b1a-4c3d-9e7f-a1b2c3d4e5f6") in alpha and (
        "alpha",
        "5f0c9d2e-8b1a-4c3d-9e7f-a1b2c3d4e5f6",
    ) in centre
    assert bravo == {("centre", "7c4d7b0e-1c2a-4f55-9b6e-0a8f7d1e2c31")}
    hidden = get(world, "bravo-analyst", "/rules/5f0c9d2e-8b1a-4c3d-9e7f-a1b2c3d4e5f6", set="alpha")
    absent = get(world, "bravo-analyst", "/rules/no-such-rule", set="alpha")
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json() == absent.json()
    assert get(world, "bravo-analyst", "/rules", set="alpha").json() == {"rules": []}
    switched = world.client.post(
        "/api/v1/rules/5f0c9d2e-8b1a-4c3d-9e7f-a1b2c3d4e5f6/disable",
        params={"set": "alpha"},
        headers=world.auth("bravo-lead"),
    )
    assert switched.status_code == 404 and switched.json() == absent.json()


@pytest.mark.parametrize(
    ("caller", "status"),
    [("alpha-liaison", 403), ("alpha-sensor", 403), ("alpha-analyst", 201), ("alpha-lead", 201)],
)
def test_who_may_change_rules(world: World, caller: str, status: int) -> None:
    assert add(world, caller, OWN).status_code == status


def test_a_member_cannot_change_the_centres_set(world: World) -> None:
    assert add(world, "centre-admin", RULE).status_code == 201
    refused = add(world, "alpha-lead", RULE_V2, rule_set="centre")
    assert refused.status_code == 403
    assert get(world, "alpha-lead", "/rules").json()["rules"][0]["version"] == 1


def test_a_sensor_reads_no_rule(world: World) -> None:
    assert get(world, "alpha-sensor", "/rules").status_code == 403


def test_a_rule_runs_over_given_events(world: World) -> None:
    events = "\n".join(
        [
            '{"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 1, '
            '"Image": "C:\\\\x\\\\evil.exe"}',
            '{"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 1, '
            '"Image": "C:\\\\x\\\\good.exe"}',
            "not json",
        ]
    )
    answer = world.client.post(
        "/api/v1/rules/test",
        json={"text": RULE, "events": events},
        headers=world.auth("alpha-liaison"),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["events"] == 2 and body["matched"] == 1
    assert body["matches"][0]["line"] == 1 and body["matches"][0]["level"] == "high"
    assert [r["line"] for r in body["refused"]] == [3]
    add(world, "alpha-analyst", OWN)
    stored = world.client.post(
        "/api/v1/rules/test",
        json={"rule_id": "5f0c9d2e-8b1a-4c3d-9e7f-a1b2c3d4e5f6", "events": events},
        headers=world.auth("alpha-liaison"),
    )
    assert stored.status_code == 200 and stored.json()["matched"] == 0
    hidden = world.client.post(
        "/api/v1/rules/test",
        json={"rule_id": "5f0c9d2e-8b1a-4c3d-9e7f-a1b2c3d4e5f6", "set": "alpha", "events": events},
        headers=world.auth("bravo-analyst"),
    )
    assert hidden.status_code == 404


CORRELATION = """\
title: Evil again and again
id: 9d1e2f3a-4b5c-4d6e-8f70-81a2b3c4d5e6
level: high
correlation:
    type: event_count
    rules: [7c4d7b0e-1c2a-4f55-9b6e-0a8f7d1e2c31]
    group-by: [User]
    timespan: 1h
    condition: {gte: 3}
"""


def test_a_correlation_names_rules_of_its_set_and_check_lists_what_broke(world: World) -> None:
    assert add(world, "centre-admin", CORRELATION).status_code == 422  # its rule is not there
    assert add(world, "centre-admin", RULE).status_code == 201
    assert add(world, "centre-admin", CORRELATION).status_code == 201
    clean = get(world, "centre-admin", "/rules", check="true").json()
    assert clean["problems"] == [] and len(clean["rules"]) == 2
    world.client.post(
        "/api/v1/rules/7c4d7b0e-1c2a-4f55-9b6e-0a8f7d1e2c31/disable",
        headers=world.auth("centre-admin"),
    )
    broken = get(world, "alpha-analyst", "/rules", check="true").json()["problems"]
    assert [p["rule"] for p in broken] == ["9d1e2f3a-4b5c-4d6e-8f70-81a2b3c4d5e6"]
    assert "7c4d7b0e-1c2a-4f55-9b6e-0a8f7d1e2c31' not found" in broken[0]["message"]
