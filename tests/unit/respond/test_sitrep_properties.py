"""Properties: the marking is the highest TLP of what the report holds, whatever it holds;
the period parser answers every text with a 24-hour period or an InputError."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.model.errors import InputError
from shieldwall.model.incident import CampaignMember, CampaignSight
from shieldwall.model.sharing import TlpLevel
from shieldwall.respond import AssistanceRequest, Measure, PostureReading, SitrepDesk, ThreatLevel
from shieldwall.respond.reports.content import LIVE_TLP, highest_marking
from shieldwall.respond.reports.html import render_html
from shieldwall.respond.reports.period import period_of
from tests.unit.respond.sitrep_fakes import (
    ADMIN,
    END,
    IN,
    Assistance,
    Intel,
    Live,
    Measures,
    Posture,
    incident,
    indicator,
    sighting,
    sources,
)

levels = st.sampled_from(list(TlpLevel))


@given(st.lists(levels))
def test_highest_marking_is_the_most_restrictive_and_clear_when_empty(
    found: list[TlpLevel],
) -> None:
    marking = highest_marking(found)
    assert all(level <= marking for level in found)
    assert marking in found or (not found and marking is TlpLevel.CLEAR)


@settings(max_examples=60, deadline=None)
@given(
    shared=st.lists(levels, max_size=4),
    sightings=st.lists(levels, max_size=3),
    measures=st.one_of(st.none(), st.lists(levels, max_size=3)),
    asked=st.one_of(st.none(), st.lists(levels, max_size=3)),
    posture=st.one_of(st.none(), levels),
    incidents=st.integers(0, 2),
    campaign=st.booleans(),
)
def test_the_report_is_marked_with_the_highest_tlp_it_contains(
    shared: list[TlpLevel],
    sightings: list[TlpLevel],
    measures: list[TlpLevel] | None,
    asked: list[TlpLevel] | None,
    posture: TlpLevel | None,
    incidents: int,
    campaign: bool,
) -> None:
    items = [indicator(f"i{n}", f"name{n}", level) for n, level in enumerate(shared)]
    items += [sighting(f"s{n}", "i0", level) for n, level in enumerate(sightings)]
    live = Live(incidents=[incident(n + 1, "alpha", f"t{n}") for n in range(incidents)])
    if campaign:
        member = CampaignMember(org_id="alpha", incident_ids=(1,), first_seen=IN)
        live.campaigns.append(
            CampaignSight(
                id=1, link="ip:192.0.2.1", created_at=IN, members=(member,), other_members=0
            )
        )
    wired = sources(live, Intel({"alpha": items}))
    extra = {}
    if posture is not None:
        level = ThreatLevel(value=1, name="LOW")
        extra["posture"] = Posture(PostureReading(now=level, before=None, tlp=posture))
    if measures is not None:
        extra["measures"] = Measures(
            [Measure(title="m", kind="rule", issued_at=IN, tlp=t) for t in measures]
        )
    if asked is not None:
        extra["assistance"] = Assistance(
            [
                AssistanceRequest(title="a", status="open", requester="alpha", opened_at=IN, tlp=t)
                for t in asked
            ]
        )
    wired = type(wired)(**{**{f: getattr(wired, f) for f in wired.__dataclass_fields__}, **extra})
    report = SitrepDesk(wired, clock=lambda: END).build(ADMIN, "alpha")
    expected = [*shared, *sightings, *(measures or []), *(asked or [])]
    expected += [posture] if posture is not None else []
    expected += [LIVE_TLP] if incidents or campaign else []
    assert report.marking is highest_marking(expected)
    assert f">{report.marking.label}<" in render_html(report)


NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


@given(st.text(max_size=50))
def test_any_text_is_a_24_hour_period_or_an_input_error(text: str) -> None:
    try:
        period = period_of(text, NOW)
    except InputError as exc:
        assert exc.place == "date"
        return
    assert period.end - period.start == timedelta(hours=24)
    assert period.end.tzinfo is not None


@given(st.dates(min_value=datetime(1, 1, 2).date(), max_value=datetime(9999, 12, 30).date()))
def test_a_day_is_that_day_in_utc(day: object) -> None:
    period = period_of(str(day), NOW)
    assert period.start.date() == day and period.start.hour == 0


@given(
    st.datetimes(
        min_value=datetime(2, 1, 1), max_value=datetime(9999, 1, 1), timezones=st.just(UTC)
    )
)
def test_a_moment_ends_the_period(moment: datetime) -> None:
    text = moment.isoformat().replace("+00:00", "Z")
    assert period_of(text, NOW).end == moment


@settings(max_examples=25, deadline=None)
@given(title=st.text(max_size=3000), name=st.text(max_size=300))
def test_any_text_renders_in_both_formats(title: str, name: str) -> None:
    """Titles and names come from members and partners: no text breaks a report."""
    from shieldwall.respond import SitrepFormat

    live = Live(incidents=[incident(1, "alpha", title)])
    wired = sources(live, Intel({"alpha": [indicator("x", name, TlpLevel.GREEN)]}))
    desk = SitrepDesk(wired, clock=lambda: END)
    page = desk.render(ADMIN, "alpha", None, SitrepFormat.HTML).data.decode()
    assert page.count("TLP:AMBER+STRICT</span>") == 2
    pdf = desk.render(ADMIN, "alpha", None, SitrepFormat.PDF).data
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
