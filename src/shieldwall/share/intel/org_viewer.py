"""A viewer standing for an organisation as a whole (no person): exports, pushes, feeds.

Organisation-level channels (a file exported *for* a member, a partner's TAXII collection,
a comparison of audiences) ask the gate on behalf of the organisation, not of one of its
people, so TLP:RED (named people only) never passes through them.
"""

from __future__ import annotations

from collections.abc import Iterable

from shieldwall.model.errors import NotFoundError
from shieldwall.model.identity import Organisation, Principal, Role
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.policy.directory import Directory
from shieldwall.policy.gate import Viewer
from shieldwall.policy.store_directory import org_viewer


def org_viewer_of(directory: Directory, org_id: str) -> Viewer:
    """The viewer of the organisation with that id; NotFoundError when it is unknown."""
    org = directory.organisation(org_id)
    if org is None:
        raise NotFoundError(f"organisation {org_id} not found")
    return org_viewer(directory, org)


def org_operator(org: Organisation | None, org_id: str, person_id: str = "operator") -> Principal:
    """The local operator (or a feed) acting for the organisation, as an administrator of it.

    Exports, imports, pushes and feeds are done by the centre's own operator *for* a member;
    NotFoundError when the organisation is unknown.
    """
    if org is None:
        raise NotFoundError(f"organisation {org_id} not found")
    return Principal(person_id, org.id, Role.ADMIN, org.kind, org.country, org.sectors)


def reaches_at_least(
    wide: ObjectDescriptor,
    narrow: ObjectDescriptor,
    directory: Directory,
    organisations: Iterable[Organisation],
) -> bool:
    """True when every organisation (and anonymous reader) that may receive ``narrow`` may
    receive ``wide`` too, asked of the gate itself. TLP:RED is decided per person, so an
    audience at RED on either side is never called wider.
    """
    if TlpLevel.RED in (wide.tlp, narrow.tlp):
        return False
    viewers = [Viewer(directory, person_id=None, org_id=None)]
    viewers.extend(org_viewer(directory, org) for org in organisations)
    return all(v.may_receive(wide) for v in viewers if v.may_receive(narrow))
