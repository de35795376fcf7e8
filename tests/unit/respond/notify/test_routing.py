"""Who gets what: a member's channel never receives another member's restricted item, and
nothing above a channel's maximum TLP leaves through it (checked in the outbox itself)."""

from __future__ import annotations

import pytest

from shieldwall.model.errors import InputError, NotFoundError, PermissionDeniedError
from shieldwall.model.identity import Role
from shieldwall.model.notification import ChannelType, DeliveryStatus, Secret
from shieldwall.model.sharing import Addressees, TlpLevel
from shieldwall.respond.notify import ChannelRequest, NotificationDesk
from shieldwall.store.sql.store import SqlStore
from tests.unit.respond.respond_world import KEY, store, who

__all__ = ["store"]  # fixture

NOBODY_NAMED = Addressees()
ALPHA_ONLY = Addressees(recipient_org_ids=frozenset({"alpha"}))


def hook(store: SqlStore, org: str, max_tlp: TlpLevel, **scope: object) -> str:
    request = ChannelRequest(
        org,
        ChannelType.WEBHOOK,
        f"https://{org}.example/hook",
        max_tlp,
        secret=Secret(KEY),
        **scope,  # type: ignore[arg-type]
    )
    return NotificationDesk(store).add_channel(who("centre-admin"), request).id


def outbox(store: SqlStore) -> dict[str, tuple[DeliveryStatus, str]]:
    with store.reading() as tx:
        rows = tx.notifications.deliveries(None, None, after=0, limit=100)
    return {row.channel_id: (row.status, row.reason) for row in rows}


def send(
    store: SqlStore, tlp: TlpLevel, audience: Addressees = NOBODY_NAMED, key: str = "k"
) -> int:
    receipt = NotificationDesk(store).notify(
        who("alpha-analyst"), "incident.opened", "Alpha hit", "body", tlp, audience, key
    )
    return receipt.notification_id


def test_another_members_restricted_item_never_reaches_its_channels(store: SqlStore) -> None:
    alpha, bravo = (
        hook(store, "alpha", TlpLevel.AMBER_STRICT),
        hook(store, "bravo", TlpLevel.AMBER_STRICT),
    )
    client = hook(store, "alpha-client", TlpLevel.AMBER)
    send(store, TlpLevel.AMBER_STRICT, key="strict")
    assert outbox(store) == {alpha: (DeliveryStatus.PENDING, "")}
    sent = send(store, TlpLevel.AMBER, key="amber")
    with store.reading() as tx:
        amber = tx.notifications.of_notification(sent)
    assert {d.channel_id for d in amber} == {alpha, client}  # clients of the producer, not bravo
    assert bravo not in {d.channel_id for d in amber}


def test_green_goes_to_every_member_but_not_beyond_the_named_recipients(store: SqlStore) -> None:
    alpha, bravo = hook(store, "alpha", TlpLevel.GREEN), hook(store, "bravo", TlpLevel.GREEN)
    send(store, TlpLevel.GREEN, key="all")
    assert set(outbox(store)) == {alpha, bravo}
    charlie = hook(store, "alpha-client", TlpLevel.GREEN)
    receipt = NotificationDesk(store).notify(
        who("bravo-analyst"), "x", "to alpha only", "b", TlpLevel.GREEN, ALPHA_ONLY, "only"
    )
    with store.reading() as tx:
        got = {d.channel_id for d in tx.notifications.of_notification(receipt.notification_id)}
    assert got == {alpha, bravo}  # the named recipient and the producer, not alpha's client
    assert charlie not in got


def test_an_amber_item_never_leaves_through_a_green_channel(store: SqlStore) -> None:
    green = hook(store, "alpha", TlpLevel.GREEN)
    amber = hook(store, "alpha", TlpLevel.AMBER)
    sent = send(store, TlpLevel.AMBER)
    assert outbox(store) == {
        green: (DeliveryStatus.REFUSED, "above-channel-maximum"),
        amber: (DeliveryStatus.PENDING, ""),
    }
    with store.reading() as tx:
        note = tx.notifications.get(sent)
        assert note is not None
        assert [d.channel_id for d in tx.notifications.due(note.created_at, 10)] == [amber]


def test_red_reaches_only_the_named_persons_own_channel(store: SqlStore) -> None:
    mine = hook(store, "alpha", TlpLevel.RED, person_id="alpha-lead")
    colleague = hook(store, "alpha", TlpLevel.RED, person_id="alpha-liaison")
    org_wide = hook(store, "alpha", TlpLevel.AMBER_STRICT)
    leads = hook(store, "alpha", TlpLevel.AMBER_STRICT, role=Role.LEAD)
    named = Addressees(recipient_person_ids=frozenset({"alpha-lead"}))
    NotificationDesk(store).notify(
        who("bravo-analyst"), "incident.opened", "for you", "b", TlpLevel.RED, named, "red"
    )
    assert outbox(store) == {mine: (DeliveryStatus.PENDING, "")}
    assert colleague not in outbox(store) and org_wide not in outbox(store)
    assert leads not in outbox(store)


def test_channels_are_checked_and_scoped_to_the_organisation(store: SqlStore) -> None:
    desk = NotificationDesk(store)
    with pytest.raises(InputError, match="named people only"):
        desk.add_channel(
            who("alpha-lead"),
            ChannelRequest("alpha", ChannelType.EMAIL, "a@alpha.example", TlpLevel.RED),
        )
    bad_targets = ("http://alpha.example/hook", "https://u:p@alpha.example/", "ftp://x", "")
    for target in bad_targets:
        with pytest.raises(InputError):
            desk.add_channel(
                who("alpha-lead"),
                ChannelRequest(
                    "alpha", ChannelType.WEBHOOK, target, TlpLevel.GREEN, secret=Secret(KEY)
                ),
            )
    with pytest.raises(InputError, match="signing key"):
        desk.add_channel(
            who("alpha-lead"),
            ChannelRequest(
                "alpha",
                ChannelType.WEBHOOK,
                "https://a.example/",
                TlpLevel.GREEN,
                secret=Secret("short"),
            ),
        )
    for address in ("a@b", "x\r\nBcc: evil@x.example", "Name <a@alpha.example>"):
        with pytest.raises(InputError):
            desk.add_channel(
                who("alpha-lead"),
                ChannelRequest("alpha", ChannelType.EMAIL, address, TlpLevel.GREEN),
            )
    with pytest.raises(NotFoundError):
        desk.add_channel(
            who("bravo-lead"),
            ChannelRequest("alpha", ChannelType.EMAIL, "a@alpha.example", TlpLevel.GREEN),
        )
    with pytest.raises(PermissionDeniedError):
        desk.add_channel(
            who("alpha-analyst"),
            ChannelRequest("alpha", ChannelType.EMAIL, "a@alpha.example", TlpLevel.GREEN),
        )
    with pytest.raises(PermissionDeniedError):
        NotificationDesk(store).notify(
            who("alpha-liaison"), "x", "s", "b", TlpLevel.CLEAR, Addressees(), "k"
        )
    hook(store, "bravo", TlpLevel.GREEN)
    assert desk.channels(who("alpha-lead")) == []
    assert len(desk.channels(who("centre-admin"))) == 1
