"""The SITREP builder over in-memory sources: what each section holds, read as whom, and
"not available" (never a number) for a section whose source is not wired."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shieldwall.model.errors import InputError, NotFoundError, PermissionDeniedError
from shieldwall.model.identity import OrgKind, Role
from shieldwall.model.incident import CampaignMember, CampaignSight
from shieldwall.model.sharing import TlpLevel
from shieldwall.respond import SitrepDesk, SitrepFormat
from shieldwall.respond.reports.html import render_html
from shieldwall.respond.reports.wording import NOT_AVAILABLE
from tests.unit.respond.sitrep_fakes import (
    ADMIN,
    BEFORE,
    END,
    IN,
    Intel,
    Live,
    alert,
    incident,
    indicator,
    person,
    sighting,
    sources,
)


def live() -> Live:
    return Live(
        incidents=[
            incident(1, "alpha", "alpha phishing wave"),
            incident(2, "bravo", "bravo secret intrusion"),
            incident(3, "alpha", "alpha old case", at=BEFORE),
            incident(4, "alpha", "alpha cleaned up", closed=True),
        ],
        alerts=[
            alert(1, "alpha", ("T1566", "T1059.001")),
            alert(2, "alpha", ("T1059.001",)),
            alert(3, "bravo", ("T1003",)),
            alert(4, "alpha", ("T1021",), at=BEFORE),
        ],
        campaigns=[
            CampaignSight(
                id=7,
                link="ip:203.0.113.9",
                created_at=IN,
                members=(CampaignMember(org_id="alpha", incident_ids=(1,), first_seen=IN),),
                other_members=1,
            ),
        ],
    )


def desk(data: Live, intel: Intel | None = None, *, wired: bool = False) -> SitrepDesk:
    return SitrepDesk(sources(data, intel, wired=wired), clock=lambda: END)


def test_alphas_report_holds_alphas_period_and_only_alphas() -> None:
    data = live()
    report = desk(data).build(ADMIN, "alpha", "2026-12-06")
    assert [i.title for i in report.incidents.new] == ["alpha phishing wave", "alpha cleaned up"]
    assert [i.title for i in report.incidents.closed] == ["alpha cleaned up"]
    assert report.incidents.open_at_end == 2  # the new one and the old one
    assert sum(report.incidents.new_per_hour) == 2
    assert report.incidents.new_per_hour[21] == 2  # 21:00 UTC, three hours before the end
    assert sum(report.incidents.alerts_per_hour) == 2
    assert [(t.technique, t.alerts) for t in report.techniques] == [("T1059.001", 2), ("T1566", 1)]
    assert [(c.link, c.other_members, c.new) for c in report.campaigns] == [
        ("ip:203.0.113.9", 1, True)
    ]
    assert {(who.org_id, who.org_kind, who.role) for who in data.readers} == {
        ("alpha", OrgKind.NATION, Role.ANALYST)
    }, "read as the recipient, never as the centre admin who asked"
    assert report.marking is TlpLevel.AMBER_STRICT
    page = render_html(report)
    assert page.count("alpha cleaned up") == 1 and "opened and closed" in page
    assert "alpha old case" not in page and "bravo secret intrusion" not in page


def test_a_day_and_a_moment_name_different_periods() -> None:
    report = desk(live()).build(ADMIN, "alpha", "2026-12-05T12:00:00Z")
    assert report.period.end == END - timedelta(hours=36)
    assert report.incidents.new == ()
    assert desk(live()).build(ADMIN, "alpha").period.end == END


def test_indicators_shared_and_sighted_and_the_marking_follows_them() -> None:
    intel = Intel(
        {
            "alpha": [
                indicator("a", "green-domain", TlpLevel.GREEN),
                indicator("b", "amber-domain", TlpLevel.AMBER, at=BEFORE),
                sighting("s1", "b", TlpLevel.AMBER, count=3),
                sighting("s2", "hidden", TlpLevel.GREEN, count=2),
                sighting("s3", "a", TlpLevel.GREEN, at=BEFORE),
            ]
        }
    )
    report = desk(Live(), intel).build(ADMIN, "alpha", "2026-12-06")
    assert [i.name for i in report.indicators.shared] == ["green-domain"]
    assert [(i.name, i.sightings) for i in report.indicators.sighted] == [("amber-domain", 3)]
    assert report.indicators.sightings == 5  # the hidden indicator's are counted, not named
    assert report.marking is TlpLevel.AMBER


def test_an_empty_period_is_clear_and_unwired_sections_are_not_available() -> None:
    report = desk(Live()).build(ADMIN, "alpha", "2026-12-06")
    assert report.marking is TlpLevel.CLEAR
    assert (report.posture, report.measures, report.assistance) == (None, None, None)
    page = render_html(report)
    assert page.count(NOT_AVAILABLE) == 3
    assert "TLP:CLEAR" in page


def test_wired_sections_are_shown_and_raise_the_marking() -> None:
    report = desk(Live(), wired=True).build(ADMIN, "alpha", "2026-12-06")
    page = render_html(report)
    assert report.marking is TlpLevel.RED  # the measure is TLP:RED
    assert "Threat level HIGH (4/5), up from GUARDED (2/5)" in page
    assert "block 198.51.100.7" in page and "forensics help" in page
    assert NOT_AVAILABLE not in page
    assert 'style="color:#FF2B2B;background:#000000">TLP:RED<' in page


def test_hidden_and_absent_organisations_answer_the_same() -> None:
    made = desk(live())
    with pytest.raises(NotFoundError) as hidden:
        made.build(person("alpha"), "bravo")
    with pytest.raises(NotFoundError) as absent:
        made.build(person("alpha"), "zulu")
    assert str(hidden.value).replace("bravo", "X") == str(absent.value).replace("zulu", "X")
    with pytest.raises(PermissionDeniedError):
        made.build(person("alpha", Role.SENSOR), "alpha")
    assert made.build(person("alpha", Role.LIAISON), "alpha").org_id == "alpha"
    with pytest.raises(NotFoundError):  # another member's suspension is not the caller's to learn
        made.build(person("alpha"), "delta")
    with pytest.raises(InputError, match="suspended"):
        made.build(ADMIN, "delta")


def test_html_escapes_what_comes_from_data() -> None:
    data = Live(incidents=[incident(1, "alpha", "<script>alert(1)</script>")])
    made = desk(data).render(ADMIN, "alpha", "2026-12-06", SitrepFormat.HTML)
    assert b"<script>" not in made.data
    assert b"&lt;script&gt;" in made.data
    assert made.media_type.startswith("text/html")
    assert made.filename == "sitrep-alpha-20261207T0000Z.html"
