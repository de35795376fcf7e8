"""Requests for assistance through the gate: asked, seen by the members allowed (others: not
found, exactly like absent), offered, accepted, reported on, closed; timed and audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shieldwall.model.assistance import Need, OfferStatus, RequestStatus, Urgency
from shieldwall.model.errors import InputError, NotFoundError, PermissionDeniedError
from shieldwall.model.notification import ChannelType, Secret
from shieldwall.model.sharing import Addressees, TlpLevel
from shieldwall.respond.assist import AssistanceFeed, AssistDesk, HelpWanted, view_json
from shieldwall.respond.notify import ChannelRequest, NotificationDesk
from shieldwall.store.sql.store import SqlStore
from tests.unit.respond.respond_world import KEY, store, who

__all__ = ["store"]  # fixture


def ask(store: SqlStore, tlp: TlpLevel, audience: Addressees | None = None) -> int:
    wanted = HelpWanted(
        "Ransomware on the billing servers",
        "Encrypted hosts, need hands",
        (Need.FORENSICS, Need.CAPACITY),
        Urgency.CRITICAL,
        tlp,
        audience or Addressees(),
    )
    return AssistDesk(store).request(who("alpha-analyst"), wanted).request.id


def visible_to(store: SqlStore, name: str) -> list[int]:
    return [r.id for r in AssistDesk(store).page(who(name))]


def test_the_whole_flow_is_timed_audited_and_flows_back(store: SqlStore) -> None:
    desk = AssistDesk(store)
    hook = ChannelRequest(
        "alpha", ChannelType.WEBHOOK, "https://alpha.example/h", TlpLevel.AMBER, secret=Secret(KEY)
    )
    NotificationDesk(store).add_channel(who("alpha-lead"), hook)
    asked = ask(store, TlpLevel.GREEN)
    offered = desk.offer(who("bravo-analyst"), asked, Need.FORENSICS, "Two analysts on site")
    (offer,) = offered.offers
    assert offered.request.seconds_to_first_offer is not None
    assert offered.request.seconds_to_acceptance is None
    with pytest.raises(PermissionDeniedError):
        desk.accept(who("bravo-lead"), asked, offer.id)  # not the requester, not the centre
    accepted = desk.accept(who("alpha-lead"), asked, offer.id)
    assert accepted.request.status is RequestStatus.ACCEPTED
    assert accepted.request.seconds_to_acceptance is not None
    assert accepted.request.seconds_to_acceptance >= accepted.request.seconds_to_first_offer  # type: ignore[operator]
    desk.progress(who("bravo-analyst"), asked, offer.id, OfferStatus.IN_PROGRESS, "imaging")
    done = desk.progress(who("bravo-analyst"), asked, offer.id, OfferStatus.DONE, "report sent")
    with pytest.raises(InputError):
        desk.progress(who("bravo-analyst"), asked, offer.id, OfferStatus.IN_PROGRESS)
    seen = desk.get(who("alpha-liaison"), asked)  # the requester sees the task's status
    assert [o.status for o in seen.offers] == [OfferStatus.DONE]
    assert [e.action for e in seen.history] == [
        "asked",
        "offered",
        "accepted",
        "progress",
        "progress",
    ]
    closed = desk.close(who("centre-admin"), asked, "contained")
    assert (closed.request.status, closed.request.close_reason) == (
        RequestStatus.CLOSED,
        "contained",
    )
    with pytest.raises(InputError):
        desk.offer(who("bravo-lead"), asked, Need.CAPACITY, "late")
    with store.reading() as tx:
        actions = [e.action for e in tx.audit.entries() if e.action.startswith("assist.")]
        told = tx.notifications.deliveries(frozenset({"alpha"}), None, after=0, limit=50)
    assert actions == [
        "assist.asked",
        "assist.offered",
        "assist.accepted",
        "assist.progress",
        "assist.progress",
        "assist.closed",
    ]
    assert len(told) == 5  # its own request and acceptance (the producer), the offer, progress x2
    assert view_json(done)["offers"][0]["status"] == "done"


def test_members_outside_the_audience_find_nothing_like_absent(store: SqlStore) -> None:
    asked = ask(store, TlpLevel.AMBER)  # alpha's clients and the centre, never bravo
    assert visible_to(store, "bravo-lead") == []
    assert visible_to(store, "client-lead") == [asked]
    assert visible_to(store, "centre-admin") == [asked]
    desk = AssistDesk(store)
    for call in (
        lambda n: desk.get(who("bravo-lead"), n),
        lambda n: desk.offer(who("bravo-lead"), n, Need.MITIGATION, "x"),
        lambda n: desk.close(who("bravo-lead"), n, "x"),
    ):
        with pytest.raises(NotFoundError) as hidden:
            call(asked)
        with pytest.raises(NotFoundError) as absent:
            call(asked + 1000)
        assert str(hidden.value).replace(str(asked), "N") == str(absent.value).replace(
            str(asked + 1000), "N"
        )


def test_strict_and_red_requests_reach_only_their_audience(store: SqlStore) -> None:
    strict = ask(store, TlpLevel.AMBER_STRICT)
    red = ask(store, TlpLevel.RED, Addressees(recipient_person_ids=frozenset({"bravo-lead"})))
    assert visible_to(store, "client-lead") == []
    assert visible_to(store, "centre-admin") == [strict]
    assert visible_to(store, "bravo-lead") == [red]
    assert visible_to(store, "bravo-analyst") == []


def test_helpers_see_their_own_offers_only(store: SqlStore) -> None:
    desk = AssistDesk(store)
    asked = ask(store, TlpLevel.GREEN)
    desk.offer(who("bravo-analyst"), asked, Need.FORENSICS, "bravo helps")
    desk.offer(who("client-lead"), asked, Need.CAPACITY, "client helps")
    assert [o.org_id for o in desk.get(who("bravo-lead"), asked).offers] == ["bravo"]
    assert len(desk.get(who("alpha-lead"), asked).offers) == 2
    with pytest.raises(InputError):
        desk.offer(who("alpha-lead"), asked, Need.CAPACITY, "to ourselves")


def test_the_feed_gives_what_waits_and_what_a_period_held(store: SqlStore) -> None:
    strict, green = ask(store, TlpLevel.AMBER_STRICT), ask(store, TlpLevel.GREEN)
    AssistDesk(store).close(who("alpha-lead"), green, "solved")
    feed = AssistanceFeed(store)
    assert [r.id for r in feed.waiting(who("centre-admin"))] == [strict]
    assert feed.waiting(who("bravo-lead")) == []
    now = datetime.now(UTC)
    day = (now - timedelta(days=1), now + timedelta(minutes=1))
    assert [r.id for r in feed.of_period("bravo", *day)] == [green]
    assert [r.id for r in feed.of_period("alpha", *day)] == [strict, green]
    assert feed.of_period("alpha", now + timedelta(minutes=1), now + timedelta(days=1)) == []
    assert feed.of_period("nobody", *day) == []
