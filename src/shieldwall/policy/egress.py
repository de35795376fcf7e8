"""The egress gate: every outbound channel has a maximum TLP, and nothing above it leaves.

This check comes on top of the audience decision, never instead of it: an object leaves
through a channel only when the receiving principal may see it *and* the channel may carry
its level. Per ``tlp-policy.md``:

- unmarked objects are not exported until marked, whatever the producer's default;
- a public (unauthenticated) channel carries TLP:CLEAR at most (GREEN is never public);
- organisation-level channels (TAXII collections, feeds, MISP exports) never carry
  TLP:RED, which goes to named people only; webhooks and notifications addressed to a
  person may be configured up to RED.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shieldwall.model.errors import ConfigError
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.decision import DECISIONS, Decision, Reason
from shieldwall.policy.descriptor import ObjectDescriptor


class ChannelKind(StrEnum):
    """The ways objects leave Shieldwall."""

    TAXII_COLLECTION = "taxii-collection"
    FEED = "feed"
    MISP_EXPORT = "misp-export"
    FILE_EXPORT = "file-export"
    WEBHOOK = "webhook"
    NOTIFICATION = "notification"


ORG_LEVEL_KINDS = frozenset(
    {ChannelKind.TAXII_COLLECTION, ChannelKind.FEED, ChannelKind.MISP_EXPORT}
)
"""Channels that serve an organisation as a whole and so never carry TLP:RED."""


@dataclass(frozen=True, slots=True)
class Channel:
    """One configured outbound channel and the highest level it may carry."""

    name: str
    kind: ChannelKind
    max_level: TlpLevel
    public: bool = False

    def __post_init__(self) -> None:
        key = f"channels.{self.name}.max_level"
        if self.public and self.max_level > TlpLevel.CLEAR:
            raise ConfigError(
                key, f"a public channel carries TLP:CLEAR at most, not {self.max_level.label}"
            )
        if self.kind in ORG_LEVEL_KINDS and self.max_level is TlpLevel.RED:
            raise ConfigError(
                key, f"a {self.kind} serves organisations; TLP:RED goes to named people only"
            )


def egress_decision(channel: Channel, obj: ObjectDescriptor) -> Decision:
    """May the object leave through the channel (audience checked separately)?"""
    if obj.tlp is None:
        return DECISIONS[Reason.UNMARKED_EGRESS]
    if obj.tlp > channel.max_level:
        return DECISIONS[Reason.ABOVE_CHANNEL]
    return DECISIONS[Reason.WITHIN_CHANNEL]
