"""Plain values the intelligence repositories take and return.

The store knows nothing of STIX semantics or of the sharing policy: it keeps object
versions with the sharing facts the policy needs as columns (so a page can be filtered in
SQL), the index terms extracted from each version, and the TAXII bookkeeping (collections,
statuses, revocations). ``share/`` builds these values and interprets them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from shieldwall.model.sharing import Addressees


@dataclass(frozen=True, slots=True)
class Audience(Addressees):
    """The sharing facts of an object, stored beside every version of it.

    ``tlp`` is the most restrictive pinned TLP level (0 CLEAR .. 4 RED) or None when the
    object is unmarked; the addressees are :class:`~.sharing.Addressees`.
    """

    producer_org_id: str
    tlp: int | None
    marking_refs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IndexTerm:
    """One searchable fact of a version: a label, a technique, an observable value.

    IP addresses and CIDR blocks carry ``lo``/``hi``: the first and last address of the
    range as fixed-width hex (8 digits for IPv4, 32 for IPv6), so a range query is two
    string comparisons.
    """

    kind: str
    value: str
    lo: str | None = None
    hi: str | None = None


@dataclass(frozen=True, slots=True)
class NewVersion:
    """A validated object version ready to store (the store adds seq and date_added)."""

    stix_id: str
    stix_type: str
    version: datetime | None
    """``modified``, else ``created``; None (no timestamps, e.g. a cyber observable) makes
    the version the ``date_added`` the store gives it."""
    spec_version: str
    audience: Audience
    body: str
    """The object as JSON text, served as-is when nothing in it must be stripped."""
    refs: tuple[str, ...] = ()
    """Ids the object references (markings excepted), for reference checks on read."""
    terms: tuple[IndexTerm, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """One stored version of an object."""

    seq: int
    stix_id: str
    stix_type: str
    version: datetime
    spec_version: str
    date_added: datetime
    audience: Audience
    body: str
    refs: tuple[str, ...]
    is_latest: bool
    is_first: bool


class VersionSelector(StrEnum):
    """The keyword forms of TAXII ``match[version]``."""

    LAST = "last"
    FIRST = "first"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class ViewerScope:
    """The facts about a viewer the SQL prefilter needs (the gate confirms every row).

    ``org_id`` None is an anonymous viewer; ``blocked`` a viewer that sees nothing.
    """

    org_id: str | None
    person_id: str | None = None
    parent_id: str | None = None
    country: str = ""
    communities: frozenset[str] = frozenset()
    blocked: bool = False


@dataclass(frozen=True, slots=True)
class CollectionScope:
    """Which objects a collection view holds and the highest TLP it may carry."""

    kind: str
    subject: str
    max_tlp: int


@dataclass(frozen=True, slots=True)
class IntelQuery:
    """Filters over stored versions; empty fields do not filter. All are AND-ed.

    Within ``ids``, ``types``, ``labels`` ... the values are OR-ed. ``versions`` names
    keyword selectors and ``explicit_versions`` exact version timestamps (OR-ed together).
    ``terms`` are observable look-ups: each is (kind, value) or, for IP kinds, a range.
    """

    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: frozenset[VersionSelector] = frozenset({VersionSelector.LAST})
    explicit_versions: tuple[datetime, ...] = ()
    spec_versions: tuple[str, ...] = ()
    added_after: datetime | None = None
    labels: tuple[str, ...] = ()
    techniques: tuple[str, ...] = ()
    terms: tuple[IndexTerm, ...] = ()
    producers: tuple[str, ...] = ()
    marking_refs: tuple[str, ...] = ()
    version_after: datetime | None = None
    version_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One keyset page: rows after ``after_seq`` for this viewer, scope and filter."""

    viewer: ViewerScope
    query: IntelQuery = field(default_factory=IntelQuery)
    scope: CollectionScope | None = None
    after_seq: int = 0
    limit: int = 100


@dataclass(frozen=True, slots=True)
class CollectionRecord:
    """A TAXII collection: a named view (kind + subject) over the store."""

    id: str
    kind: str
    subject: str
    title: str
    description: str
    max_tlp: int


@dataclass(frozen=True, slots=True)
class StatusRecord:
    """The outcome of one TAXII add-objects request, kept for later GET /status/."""

    id: str
    org_id: str
    person_id: str
    created_at: datetime
    total: int
    successes: tuple[dict[str, str], ...]
    failures: tuple[dict[str, str], ...]
    pendings: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class RevocationRecord:
    """An object (or version) removed from the view of some who could see it before.

    ``audience`` is the audience before the change: only those who could see the object
    then are told of its revocation.
    """

    seq: int
    at: datetime
    stix_id: str
    reason: str
    audience: Audience
    version: datetime | None = None
