"""The sectors a member is in: set by the centre, read by communities and by posture.

Posture keeps a threat level per sector (docs/posture.md), and a sector's level is shown
to its members only when it has enough of them, so who is in which sector is the
centre's decision: only an admin of the centre sets it (the same right as registering
the member), and every change is in the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from shieldwall.model.audit import AuditRecord
from shieldwall.model.errors import InputError, NotFoundError
from shieldwall.model.identity import Organisation, Principal
from shieldwall.policy.roles import Action, authorise
from shieldwall.store.protocols import Store

SECTOR = re.compile(r"^[a-z0-9](?:[a-z0-9 _-]{0,62}[a-z0-9])?$")
MAX_SECTORS = 32


def check_sectors(sectors: Sequence[str]) -> list[str]:
    """The sectors as kept (lower-case, each once, sorted); InputError for a bad name."""
    kept = sorted({sector.strip().lower() for sector in sectors})
    if len(kept) > MAX_SECTORS:
        raise InputError(f"at most {MAX_SECTORS} sectors", place="sectors")
    for sector in kept:
        if not SECTOR.match(sector):
            raise InputError(
                f"{sector!r}: letters, digits, spaces, '-' or '_', 1 to 64", place="sectors"
            )
    return kept


def set_sectors(
    store: Store, principal: Principal, org_id: str, sectors: Sequence[str]
) -> Organisation:
    """Replace a member's sectors (centre admins only); the member as it now is."""
    authorise(principal, Action.ORG_CREATE, org_id)
    kept = check_sectors(sectors)
    with store.transaction() as tx:
        org = tx.organisations.get(org_id)
        if org is None:
            raise NotFoundError("not found")
        tx.sectors.set_sectors(org_id, kept)
        tx.audit.append(
            AuditRecord(
                principal=principal.person_id,
                org_id=principal.org_id,
                action="org.sectors",
                object_type="organisation",
                object_id=org_id,
                detail=",".join(kept),
            )
        )
    return replace(org, sectors=tuple(kept))
