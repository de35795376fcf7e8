"""The one sharing gate: TLP 2.0, audiences, releasability, reference stripping, egress limits.

Every stage, the API and the web ask this package whether a principal may receive an
object; nothing else decides. The public surface is re-exported here; the modules behind it
are :mod:`.markings` (the pinned TLP table), :mod:`.descriptor`, :mod:`.directory`,
:mod:`.gate` (the decision and its rules), :mod:`.references`, :mod:`.derived` and
:mod:`.egress` and :mod:`.remarking`.
"""

from shieldwall.policy.addresses import IpAddress, IpNetwork, parse_networks, refusal
from shieldwall.policy.decision import Decision, Reason
from shieldwall.policy.derived import (
    check_derived_marking,
    content_refs,
    decide_derived,
    describe_sighting,
    minimum_derived_level,
)
from shieldwall.policy.descriptor import ObjectDescriptor, marking_refs_of
from shieldwall.policy.directory import DEFAULT_UNMARKED_LEVEL, Directory, SnapshotDirectory
from shieldwall.policy.egress import Channel, ChannelKind, egress_decision
from shieldwall.policy.gate import Viewer, decide
from shieldwall.policy.markings import (
    PINNED,
    check_marking_definition,
    level_of,
    most_restrictive,
)
from shieldwall.policy.references import Stripped, strip_references
from shieldwall.policy.remarking import check_remarking
from shieldwall.policy.store_directory import StoreDirectory, org_viewer

__all__ = [
    "DEFAULT_UNMARKED_LEVEL",
    "PINNED",
    "Channel",
    "ChannelKind",
    "Decision",
    "Directory",
    "IpAddress",
    "IpNetwork",
    "ObjectDescriptor",
    "Reason",
    "SnapshotDirectory",
    "StoreDirectory",
    "Stripped",
    "Viewer",
    "check_derived_marking",
    "check_marking_definition",
    "check_remarking",
    "content_refs",
    "decide",
    "decide_derived",
    "describe_sighting",
    "egress_decision",
    "level_of",
    "marking_refs_of",
    "minimum_derived_level",
    "most_restrictive",
    "org_viewer",
    "parse_networks",
    "refusal",
    "strip_references",
]
