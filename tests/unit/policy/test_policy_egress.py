"""The egress gate (tlp-policy.md, "Export / TAXII / MISP-sync rule" column)."""

from __future__ import annotations

import pytest

from shieldwall.model.errors import ConfigError
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy import Channel, ChannelKind, Reason, egress_decision
from shieldwall.policy.markings import (
    TLP1_WHITE,
    TLP_AMBER,
    TLP_AMBER_STRICT,
    TLP_CLEAR,
    TLP_GREEN,
    TLP_RED,
)
from tests.unit.policy.policy_world import obj

MARKINGS = [TLP_CLEAR, TLP_GREEN, TLP_AMBER, TLP_AMBER_STRICT, TLP_RED]


@pytest.mark.parametrize("maximum", list(TlpLevel)[:4])
def test_nothing_above_the_channel_maximum_leaves(maximum: TlpLevel) -> None:
    channel = Channel("partner", ChannelKind.TAXII_COLLECTION, maximum)
    leaving = [m.level for m in MARKINGS if egress_decision(channel, obj("nl-cert", m.id)).allowed]
    assert leaving == [level for level in TlpLevel if level <= maximum]


def test_above_maximum_names_the_reason() -> None:
    channel = Channel("feed", ChannelKind.FEED, TlpLevel.GREEN)
    decision = egress_decision(channel, obj("nl-cert", TLP_AMBER.id))
    assert (decision.allowed, decision.reason) == (False, Reason.ABOVE_CHANNEL)


def test_several_markings_use_the_most_restrictive_at_egress() -> None:
    channel = Channel("feed", ChannelKind.FEED, TlpLevel.GREEN)
    assert not egress_decision(channel, obj("nl-cert", TLP1_WHITE.id, TLP_AMBER.id)).allowed
    assert egress_decision(channel, obj("nl-cert", TLP1_WHITE.id, TLP_GREEN.id)).allowed


def test_unmarked_is_not_exported_until_marked() -> None:
    channel = Channel("webhook", ChannelKind.WEBHOOK, TlpLevel.RED)
    decision = egress_decision(channel, obj("nl-cert"))
    assert (decision.allowed, decision.reason) == (False, Reason.UNMARKED_EGRESS)


def test_clear_may_appear_in_public_feeds() -> None:
    channel = Channel("public", ChannelKind.FEED, TlpLevel.CLEAR, public=True)
    assert egress_decision(channel, obj("nl-cert", TLP_CLEAR.id)).allowed
    assert not egress_decision(channel, obj("nl-cert", TLP_GREEN.id)).allowed


def test_green_never_on_a_public_channel() -> None:
    with pytest.raises(ConfigError) as caught:
        Channel("public", ChannelKind.FEED, TlpLevel.GREEN, public=True)
    assert caught.value.key == "channels.public.max_level"


@pytest.mark.parametrize(
    "kind", [ChannelKind.TAXII_COLLECTION, ChannelKind.FEED, ChannelKind.MISP_EXPORT]
)
def test_red_is_not_served_over_organisation_level_channels(kind: ChannelKind) -> None:
    with pytest.raises(ConfigError, match="named people only"):
        Channel("org", kind, TlpLevel.RED)


def test_red_may_go_to_a_person_addressed_notification() -> None:
    channel = Channel("pager", ChannelKind.NOTIFICATION, TlpLevel.RED)
    decision = egress_decision(channel, obj("nl-cert", TLP_RED.id))
    assert (decision.allowed, decision.reason) == (True, Reason.WITHIN_CHANNEL)
