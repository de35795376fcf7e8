"""What a submitter may see of what is stored: every write rule is judged on this alone.

A write that names an id (a new version, a report's contents, a marking, a sighting's
target) must get the same answer whether that id is held by someone the submitter cannot
see or not held at all (issue 9, the write-path oracle). So before any rule is applied, the
stored versions and audiences are narrowed to those the submitter's viewer may receive;
the rest count as absent.
"""

from __future__ import annotations

from shieldwall.model.intel import Audience, StoredVersion
from shieldwall.policy.gate import Viewer
from shieldwall.share.intel.audience import descriptor_of


def visible_versions(
    viewer: Viewer, found: dict[str, list[StoredVersion]]
) -> dict[str, list[StoredVersion]]:
    """Stored versions the submitter may see: the rest count as absent (module doc)."""
    kept = {
        stix_id: [v for v in versions if viewer.may_receive(descriptor_of(stix_id, v.audience))]
        for stix_id, versions in found.items()
    }
    return {stix_id: versions for stix_id, versions in kept.items() if versions}


def visible_audiences(
    viewer: Viewer, found: dict[str, list[Audience]]
) -> dict[str, list[Audience]]:
    """Latest audiences the submitter may receive; ids with none left are dropped."""
    kept = {
        stix_id: [a for a in held if viewer.may_receive(descriptor_of(stix_id, a))]
        for stix_id, held in found.items()
    }
    return {stix_id: held for stix_id, held in kept.items() if held}
