"""Fuse: alerts grouped into incidents (campaigns and posture to come).

A stage of the flow, pure logic: it speaks to the incident repository protocol and
exchanges ``model`` objects. :mod:`.grouping` says which alerts belong together (the
documented, configurable rules) and :func:`partition` computes that offline;
:mod:`.fusion` reaches the same incidents one alert hit at a time; :mod:`.flow` is the
status flow people move incidents through.
"""

from shieldwall.fuse.flow import ALLOWED, check_comment, check_status_change
from shieldwall.fuse.fusion import ACTOR, fuse_hit
from shieldwall.fuse.grouping import (
    GroupingRules,
    HitView,
    higher,
    observables,
    partition,
    severity_of,
)

__all__ = [
    "ACTOR",
    "ALLOWED",
    "GroupingRules",
    "HitView",
    "check_comment",
    "check_status_change",
    "fuse_hit",
    "higher",
    "observables",
    "partition",
    "severity_of",
]
