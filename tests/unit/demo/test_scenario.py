"""The demo's scenario on the embedded default: every step happens, through the real pipeline.

The steps are checked by the scenario itself (it reads through the gate what the workers
made); this test adds what a member's analyst must and must not see of the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shieldwall import share
from shieldwall.demo.campaign import C2_DOMAIN, STAGER_ADDRESS, STAGER_HOST, CampaignPlan
from shieldwall.demo.intel import RED_TIP
from shieldwall.demo.response import Response
from shieldwall.demo.runner import demo_settings, run_scenario
from shieldwall.demo.scenario import DemoStepFailedError, Scenario, StepReport
from shieldwall.model.errors import NotFoundError
from shieldwall.model.identity import Principal
from shieldwall.model.measures import MeasureFormat
from shieldwall.model.playbook import RunStatus
from shieldwall.runtime import Services, open_services


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    opened = open_services(demo_settings(tmp_path / "demo"))
    yield opened
    opened.close()


def test_every_step_happens_and_members_see_only_their_part(services: Services) -> None:
    said: list[StepReport] = []
    scenario = Scenario(services, CampaignPlan(datetime.now(UTC)), noise_per_member=100)
    run_scenario(services, said.append, scenario)
    assert [r.name for r in said] == [
        "coalition", "telemetry", "detection", "incidents", "indicator shared",
        "watchlist hits", "campaign",
        "playbook approved", "measures everywhere", "situation report", "approval waiting",
    ]  # fmt: skip
    coalition = scenario.coalition
    westmark = coalition.first("cert-westmark", "analyst")
    seen = {a.org_id for a in services.alerts.page(westmark, limit=500)}
    assert seen == {"cert-westmark"}
    incidents = services.incidents.page(westmark, limit=500)
    assert incidents and {i.org_id for i in incidents} == {"cert-westmark"}
    campaigns = services.campaigns.page(westmark, limit=100)
    assert campaigns, "westmark's incident belongs to the coalition's campaign"
    for campaign in campaigns:
        assert {m.org_id for m in campaign.members} == {"cert-westmark"}
        assert campaign.other_members >= 2  # "seen at N other members", never who
    ostland = coalition.first("cert-ostland", "analyst")
    assert services.alerts.page(ostland, limit=10) == []
    sitrep = services.settings.data_dir / "sitrep-cert-ostland.pdf"
    assert sitrep.read_bytes().startswith(b"%PDF-")
    report = services.sitrep.build(ostland, "cert-ostland")
    assert report.measures is not None and len(report.measures) >= 2  # the C2 blocks
    assert not report.incidents.new  # none of the other members' incidents
    _the_run_left_waiting_is_the_duty_officers_to_approve(services, scenario)


def _the_run_left_waiting_is_the_duty_officers_to_approve(
    services: Services, scenario: Scenario
) -> None:
    """The last step leaves the block of the stager waiting for a lead of the centre (the
    person watching the demo); a member's lead cannot decide it, the duty officer can."""
    assert scenario.waiting_run is not None
    officer = scenario.coalition.first("centre", "lead")
    assert _names(services, officer) >= {RED_TIP, f"C2 domain {C2_DOMAIN}"}
    for other in (("centre", "analyst"), ("cert-westmark", "analyst"), ("gridco", "lead")):
        assert RED_TIP not in _names(services, scenario.coalition.first(*other)), other
    desk = services.playbooks
    (waiting,) = [a for a in desk.pending(officer) if a.run_id == scenario.waiting_run]
    assert waiting.centre_lead
    with pytest.raises(NotFoundError):
        desk.decide(scenario.coalition.first("cert-nordia", "lead"), waiting.id, True)
    done = desk.decide(officer, waiting.id, True)
    assert done.status is RunStatus.SUCCEEDED
    lists = Response(services, scenario.coalition)
    sensor = scenario.coalition.sensors["cert-ostland"]
    built = services.measures.build(sensor, "cert-ostland", "default", MeasureFormat.PLAIN)
    text = built.files[MeasureFormat.PLAIN].decode()
    assert STAGER_HOST in text and STAGER_ADDRESS in text
    assert lists.lists_missing() == ""  # the C2 is still everywhere too


def test_a_step_that_does_not_happen_fails_the_demo_by_name(services: Services) -> None:
    """Without the detect worker nothing is detected: the demo names that step and stops."""
    said: list[StepReport] = []
    scenario = Scenario(services, CampaignPlan(datetime.now(UTC)), timeout=1.0, noise_per_member=5)
    with pytest.raises(DemoStepFailedError, match=r"^detection: cert-nordia lacks "):
        scenario.run(said.append)
    assert [r.name for r in said] == ["coalition", "telemetry"]


def _names(services: Services, who: Principal) -> set[str]:
    """The names of the indicators ``who`` may receive (TLP:RED: the people named, and the
    producer's own organisation)."""
    desk = share.IntelDesk(services.store, share.cursor_codec(services.settings.data_dir))
    found = desk.search(who, share.SearchFilters(types=("indicator",)), share.PageRequest())
    return {str(o.get("name")) for o in found["objects"]}
