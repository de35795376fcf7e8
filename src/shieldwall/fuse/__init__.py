"""Fuse: alerts grouped into incidents, incidents linked into campaigns; posture.

A stage of the flow, pure logic: it speaks to the incident repository protocol and
exchanges ``model`` objects. :mod:`.grouping` says which alerts belong together (the
documented, configurable rules) and :func:`partition` computes that offline;
:mod:`.fusion` reaches the same incidents one alert hit at a time; :mod:`.flow` is the
status flow people move incidents through. Campaigns link members' incidents by the same
indicator, the same infrastructure (:mod:`.infrastructure`) or the same technique chain
(:mod:`.chains`); :mod:`.posture` turns open incidents and campaigns into threat levels.
"""

from shieldwall.fuse.chains import chain_links, note_chains, technique_sequence
from shieldwall.fuse.flow import ALLOWED, check_comment, check_status_change
from shieldwall.fuse.fusion import ACTOR, fuse_hit, hit_time, link_spans
from shieldwall.fuse.grouping import (
    GroupingRules,
    HitView,
    higher,
    observables,
    partition,
    severity_of,
)
from shieldwall.fuse.infrastructure import CampaignRules, registered_domain, url_hosts
from shieldwall.fuse.posture import PostureRules, all_levels, group_level, member_levels

__all__ = [
    "ACTOR",
    "ALLOWED",
    "CampaignRules",
    "GroupingRules",
    "HitView",
    "PostureRules",
    "all_levels",
    "chain_links",
    "check_comment",
    "check_status_change",
    "fuse_hit",
    "group_level",
    "higher",
    "hit_time",
    "link_spans",
    "member_levels",
    "note_chains",
    "observables",
    "partition",
    "registered_domain",
    "severity_of",
    "technique_sequence",
    "url_hosts",
]
