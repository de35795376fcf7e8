"""Members' protective measures (``respond``) as TAXII collections (``share``).

Neither application imports the other: ``share`` names what it needs as
:class:`shieldwall.share.MeasureFeed`, and this module answers it with the measure desk,
as the centre reads it. The TAXII server decides who may read which member's collection
(the member and the centre); the desk decides what is in it, through the gate, exactly
as for that member's list files.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shieldwall import respond
from shieldwall.model.identity import OrgKind, Principal, Role

CENTRE_READER = Principal("system:taxii-measures", "centre", Role.ADMIN, OrgKind.CENTRE)
"""Who the feed reads as: an admin of the centre, which may read every member's lists
(the organisation id only names the reader in audit records; no gate decision uses it)."""


@dataclass(frozen=True, slots=True)
class DeskMeasureFeed:
    """The measure desk as the TAXII server's feed of members' measures."""

    desk: respond.MeasureDesk

    def members(self) -> Collection[str]:
        """The organisations with a subscription."""
        return self.desk.subscribers(CENTRE_READER)

    def indicators(self, org_id: str) -> Sequence[Mapping[str, Any]]:
        """The member's measures now, as STIX 2.1 indicators."""
        return self.desk.stix_objects(CENTRE_READER, org_id)
