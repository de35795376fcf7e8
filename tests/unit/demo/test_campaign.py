"""The demo's telemetry: each stage fires the rule for its technique, at the member it hits.

Two rule sets judge the generated records: the demo's own rules (what the demo's centre
runs) and SigmaHQ's Windows rules from the shared corpus — so the records are not only
shaped for our rules but look like the real technique to rules written by others. The
ordinary traffic around the campaign must fire nothing at all.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shieldwall.demo import (
    COALITION,
    CampaignPlan,
    Stage,
    campaign_records,
    noise_records,
    rules_directory,
)
from shieldwall.demo.campaign import C2_ADDRESS, C2_DOMAIN, time_of
from shieldwall.scan import scan

START = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
PLAN = CampaignPlan(START)


def _write(folder: Path, name: str, records: list[dict[str, Any]]) -> None:
    (folder / f"{name}.ndjson").write_text("".join(json.dumps(r) + "\n" for r in records))


def _fired(folder: Path, rules: list[Path]) -> Counter[tuple[str, str]]:
    run = scan([folder], rules)
    found: Counter[tuple[str, str]] = Counter()
    for detection in run:
        assert detection.source is not None
        found[(Path(detection.source.path).stem, detection.rule_title)] += 1
    assert run.summary.problem_count == 0, run.summary.problems
    return found


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("campaign")
    by_member: dict[str, list[dict[str, Any]]] = {}
    for org_id, _stage, record in campaign_records(PLAN):
        by_member.setdefault(org_id, []).append(record)
    for org_id, records in by_member.items():
        _write(folder, org_id, records)
    return folder


@pytest.fixture(scope="module")
def quiet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("noise")
    for member in COALITION:
        _write(folder, member.org_id, list(noise_records(member, START, 600)))
    return folder


def test_each_stage_fires_its_rule_at_the_members_it_hits(story: Path) -> None:
    fired = _fired(story, [rules_directory()])
    chain = {
        "Office Application Starts a Shell or Script Host",
        "Hidden PowerShell With an Encoded Command",
        "PowerShell Download Cradle",
    }
    full = chain | {
        "LSASS Memory Dumped Through comsvcs.dll",
        "LSASS Opened With Full Access by rundll32",
        "PsExec Service Installed",
    }
    assert {title for (org, title) in fired if org == "cert-nordia"} == full
    assert {title for (org, title) in fired if org == "gridco"} == chain
    assert not {org for (org, _title) in fired} & set(PLAN.beacon_only)


def test_ordinary_traffic_fires_no_demo_rule(quiet: Path) -> None:
    assert _fired(quiet, [rules_directory()]) == Counter()


def test_sigmahq_rules_recognise_the_techniques(story: Path, corpus_dir: Path) -> None:
    fired = _fired(story, [corpus_dir / "sigma" / "rules" / "windows"])
    nordia = {title for (org, title) in fired if org == "cert-nordia"}
    assert {
        "Lsass Memory Dump via Comsvcs DLL",
        "PsExec Service Installation",
        "Suspicious Microsoft Office Child Process",
        "Suspicious Encoded PowerShell Command Line",
    } <= nordia


def test_ordinary_traffic_fires_no_sigmahq_windows_rule(quiet: Path, corpus_dir: Path) -> None:
    assert _fired(quiet, [corpus_dir / "sigma" / "rules" / "windows"]) == Counter()


def test_every_infected_member_beacons_to_the_shared_infrastructure() -> None:
    records = campaign_records(PLAN)
    reached = {org for org, stage, _r in records if stage is Stage.C2}
    assert reached == {*PLAN.full_chain, *PLAN.phished, *PLAN.beacon_only}
    for org in PLAN.beacon_only:
        text = json.dumps([r for o, _s, r in records if o == org])
        assert C2_DOMAIN in text and C2_ADDRESS in text


def test_the_story_is_reproducible_and_in_time_order() -> None:
    first, again = campaign_records(PLAN), campaign_records(PLAN)
    assert first == again
    moments = [time_of(record) for _org, _stage, record in first]
    assert moments == sorted(moments)
    assert moments[0] >= START
    other = campaign_records(CampaignPlan(START, seed=8))
    assert other != first
    assert len(first) == len(other)


def test_noise_stays_inside_each_members_network() -> None:
    for member in COALITION:
        prefix = ".".join(member.network.split(".")[:2]) + "."
        for record in noise_records(member, START, 90):
            text = json.dumps(record)
            assert C2_ADDRESS not in text and C2_DOMAIN not in text
            for key in ("id.orig_h", "id.resp_h"):
                if key in record:
                    assert str(record[key]).startswith(prefix)
