"""Which channels a notification goes to: the sharing gate first, then the channel's limit.

For each active channel the gate is asked on behalf of the channel's holder: a channel of
one person asks as that person (so TLP:RED reaches only named people's own channels); a
channel of an organisation or of one of its roles asks as the organisation as a whole
(never TLP:RED). A channel whose holder may not receive the item gets nothing and no row:
its organisation never learns the item exists. A channel whose holder may receive it but
whose maximum TLP is below the item's gets a *refused* row with the reason, so the
member sees what it missed and why, and nothing above the channel's level ever leaves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shieldwall.model.identity import Principal, Role
from shieldwall.model.notification import Channel, ChannelType, DeliveryStatus, Notification
from shieldwall.policy import (
    Channel as EgressChannel,
)
from shieldwall.policy import (
    ChannelKind,
    Directory,
    ObjectDescriptor,
    Reason,
    Viewer,
    egress_decision,
    org_viewer,
)
from shieldwall.policy.decision import DECISIONS
from shieldwall.respond.marking import describe

_KINDS = {ChannelType.WEBHOOK: ChannelKind.WEBHOOK, ChannelType.EMAIL: ChannelKind.NOTIFICATION}
_UNKNOWN = DECISIONS[Reason.UNKNOWN_PRINCIPAL]


@dataclass(frozen=True, slots=True)
class Route:
    """One channel's outcome for one notification."""

    channel: Channel
    status: DeliveryStatus
    reason: str


def channel_viewer(directory: Directory, channel: Channel) -> Viewer:
    """The gate's viewer standing for the channel's holder, as the directory knows it now."""
    org = directory.organisation(channel.org_id)
    if org is None:
        return Viewer(directory, person_id=None, org_id=None, blocked=_UNKNOWN)
    if channel.person_id is None:
        return org_viewer(directory, org)
    person = directory.person(channel.person_id)
    role = person.role if person is not None else Role.LIAISON
    principal = Principal(channel.person_id, org.id, role, org.kind, org.country)
    return Viewer.for_principal(principal, directory)


def descriptor_of(notification: Notification) -> ObjectDescriptor:
    """The notification as the gate sees it."""
    return describe(
        f"notification--{notification.id}",
        notification.org_id,
        notification.tlp,
        notification,
    )


def egress_channel(channel: Channel) -> EgressChannel:
    """The channel as the egress rule sees it: its kind and its maximum level."""
    return EgressChannel(channel.id, _KINDS[channel.type], channel.max_tlp)


def route(
    directory: Directory, notification: Notification, channels: Iterable[Channel]
) -> list[Route]:
    """The routes of a notification over the active channels whose holder may receive it."""
    item = descriptor_of(notification)
    routes: list[Route] = []
    for channel in channels:
        if not channel.active or not channel_viewer(directory, channel).decide(item).allowed:
            continue
        egress = egress_decision(egress_channel(channel), item)
        status = DeliveryStatus.PENDING if egress.allowed else DeliveryStatus.REFUSED
        routes.append(Route(channel, status, "" if egress.allowed else egress.reason.value))
    return routes
