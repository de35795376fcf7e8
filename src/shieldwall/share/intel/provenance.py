"""Who wrote an object, and which copies of it an organisation may hold.

Two ways in, two rules:

* **Publishing** (TAXII POST, the REST API): a member speaks for itself. ``created_by_ref``
  must be its own identity, or absent (the member is then recorded as the author).
* **Receiving** (``intel import`` of files, MISP events and feeds, pulled TAXII feeds): a
  member brings in what *others* wrote. The objects keep their own ``created_by_ref`` as
  provenance (MISP's ``Orgc``, a vendor's identity); the receiving member is recorded as
  the producer in the store (whose audience the gate applies). An object naming *another
  member's* identity is refused: a member's objects reach the store only from that member.

"Only the producer may publish a new version" then reads: a *member-authored* object (its
author is the producer's identity) belongs to that member alone, and nobody else may
store any version of its id. An *external* object (authored by a non-member, or a galaxy
cluster SDO) is held per receiving organisation, like a cyber observable: each receiver
has its own copy, versions and audience, and only that receiver adds versions to it.

The author of an object is its ``created_by_ref``; an identity object without one is its
own author; anything else without one is authored by whoever submits it.

**Galaxy clusters** (MISP galaxies as STIX SDOs, M8) carry ``x_misp_cluster_uuid`` and an id
derived from it (:func:`shieldwall.share.misp.ids.derived_id`), so every event, server and
run gives one cluster the same id without a table to keep. They are recognised by that pair
(an SDO claiming a cluster uuid with another id is an ordinary object), and within one
receiver's copy a cluster whose definition did not change is not a new version: see
:func:`same_definition`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from shieldwall.model.intel import Audience, StoredVersion
from shieldwall.policy.directory import Directory
from shieldwall.share.intel.audience import descriptor_of
from shieldwall.share.intel.identity import identity_id
from shieldwall.share.intel.org_viewer import reaches_at_least
from shieldwall.share.misp.ids import derived_id
from shieldwall.store.protocols import UnitOfWork

VERSION_FIELDS = frozenset(
    {"created", "modified", "created_by_ref", "object_marking_refs", "granular_markings"}
)
"""What differs between two events carrying the same galaxy cluster without the cluster
itself having changed."""


def author_of(obj: Mapping[str, Any]) -> str | None:
    """The identity that wrote the object, or None when it does not say."""
    creator = obj.get("created_by_ref")
    if isinstance(creator, str):
        return creator
    if obj.get("type") == "identity" and isinstance(obj.get("id"), str):
        return str(obj["id"])
    return None


def is_galaxy_cluster(obj: Mapping[str, Any]) -> bool:
    """True for an SDO made from a MISP galaxy cluster, with the id that cluster gives."""
    cluster = obj.get("x_misp_cluster_uuid")
    stix_type = obj.get("type")
    if not isinstance(cluster, str) or not isinstance(stix_type, str):
        return False
    return obj.get("id") == derived_id(stix_type, "misp-galaxy-cluster", cluster)


def is_external(obj: Mapping[str, Any], submitter_org_id: str) -> bool:
    """True when a received object is held per receiving organisation (see module doc)."""
    if is_galaxy_cluster(obj):
        return True
    author = author_of(obj)
    return author is not None and author != identity_id(submitter_org_id)


def impersonation(obj: Mapping[str, Any], submitter_org_id: str, members: frozenset[str]) -> str:
    """Why a received object may not be stored ("" if it may): it names another member."""
    author = author_of(obj)
    own = identity_id(submitter_org_id)
    if author is None or author == own or author not in members:
        return ""
    return (
        f"authored by {author}, the identity of another member organisation; only that "
        "organisation publishes its objects"
    )


def squatted_identity(
    obj: Mapping[str, Any], submitter_org_id: str, members: frozenset[str]
) -> str:
    """Why an ``identity`` may not be stored ("" if it may): its id is another member's.

    Member identity ids are derived from organisation ids and every member knows its
    peers, so refusing them tells nobody anything; accepting one would let a member rename
    another (or the centre) for every reader and lock the owner out of its own identity.
    """
    stix_id = obj.get("id")
    if obj.get("type") != "identity" or stix_id not in members:
        return ""
    if stix_id == identity_id(submitter_org_id):
        return ""
    return f"{stix_id} is the identity of another member organisation; only it publishes it"


def member_authored(version: StoredVersion) -> bool:
    """True when a stored version was written by the member that holds it."""
    obj = orjson.loads(version.body)
    if is_galaxy_cluster(obj):
        return False
    author = author_of(obj)
    return author is None or author == identity_id(version.audience.producer_org_id)


def same_definition(new: Mapping[str, Any], stored: StoredVersion) -> bool:
    """True when a galaxy cluster SDO says what the stored version says (versions aside)."""
    old = orjson.loads(stored.body)
    return _definition(new) == _definition(old)


def _definition(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in obj.items() if key not in VERSION_FIELDS}


def cluster_kept(
    obj: Mapping[str, Any],
    audience: Audience,
    own: list[StoredVersion],
    directory: Directory,
    tx: UnitOfWork,
) -> bool:
    """True when a galaxy cluster already held with this definition is kept as it is.

    Another event naming the same cluster only re-versions it when it would reach further
    (so the reports and relationships that name it stay readable); a narrower or a
    different audience leaves the copy as it is rather than hiding it from its readers.
    """
    if not own or not is_galaxy_cluster(obj):
        return False
    latest = max(own, key=lambda v: v.version)
    if not same_definition(obj, latest):
        return False
    stix_id = str(obj.get("id"))
    wide, held = descriptor_of(stix_id, audience), descriptor_of(stix_id, latest.audience)
    if wide == held:
        return True
    orgs = tx.organisations.list()
    wider = reaches_at_least(wide, held, directory, orgs)
    return not wider or reaches_at_least(held, wide, directory, orgs)


def author_problem(
    obj: Mapping[str, Any],
    org: str,
    identities: frozenset[str],
    members: frozenset[str] | None,
) -> str:
    """Why the organisation may not store the object under its author ("" if it may).

    ``members`` is None when a member publishes for itself (its own identity or none as
    author), else the member identities a received object may not name.
    """
    squatted = squatted_identity(obj, org, identities)
    if squatted:
        return squatted
    if members is not None:
        return impersonation(obj, org, members)
    creator = obj.get("created_by_ref")
    own = identity_id(org)
    if creator is None or creator == own:
        return ""
    return (
        f"created_by_ref {creator} is not the identity of organisation "
        f"{org} ({own}); only the producer publishes versions"
    )
