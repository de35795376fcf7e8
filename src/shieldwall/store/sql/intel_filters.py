"""SQL predicates for pages of intelligence: the viewer prefilter, collection scope, filters.

The viewer prefilter mirrors the sharing gate (``policy/gate.py``) closely enough that a
page rarely holds rows the gate then refuses: it is a *superset* of what the gate allows
(unmarked objects, whose level depends on the producer's configured default, pass as if
they could be any level), never a subset. The gate confirms every row that is served.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from shieldwall.model.intel import (
    CollectionScope,
    IndexTerm,
    IntelQuery,
    VersionSelector,
    ViewerScope,
)
from shieldwall.store.sql.intel_codec import LIKE_ESCAPE, member_pattern
from shieldwall.store.sql.tables import intel_objects, intel_terms

object_columns = intel_objects.c
_CLEAR, _GREEN, _AMBER, _STRICT, _RED = 0, 1, 2, 3, 4


def _contains(column: ColumnElement[str], value: str) -> ColumnElement[bool]:
    return column.like(member_pattern(value), escape=LIKE_ESCAPE)


def viewer_clause(viewer: ViewerScope) -> ColumnElement[bool]:
    """Rows the viewer may possibly receive (a superset of the gate's answer)."""
    if viewer.blocked:
        return false()
    org = viewer.org_id
    if org is None:
        return and_(
            object_columns.tlp == _CLEAR,
            object_columns.recipient_org_ids == "",
            object_columns.community_ids == "",
            object_columns.releasable_to.is_(None),
        )
    return or_(
        object_columns.producer_org_id == org, and_(*_distribution(viewer), _levels(viewer, org))
    )


def _distribution(viewer: ViewerScope) -> list[ColumnElement[bool]]:
    communities = [_contains(object_columns.community_ids, c) for c in sorted(viewer.communities)]
    return [
        or_(object_columns.community_ids == "", *communities),
        or_(
            object_columns.releasable_to.is_(None),
            _contains(object_columns.releasable_to, viewer.country or "-"),
        ),
    ]


def _levels(viewer: ViewerScope, org: str) -> ColumnElement[bool]:
    recipient = _contains(object_columns.recipient_org_ids, org)
    unaddressed = object_columns.recipient_org_ids == ""
    parent = viewer.parent_id
    via_parent = (
        or_(
            object_columns.producer_org_id == parent,
            _contains(object_columns.recipient_org_ids, parent),
        )
        if parent
        else false()
    )
    person = _contains(object_columns.recipient_person_ids, viewer.person_id or "-")
    return or_(
        and_(object_columns.tlp.in_((_CLEAR, _GREEN)), or_(unaddressed, recipient)),
        and_(object_columns.tlp == _AMBER, or_(recipient, via_parent)),
        and_(object_columns.tlp == _STRICT, recipient),
        and_(object_columns.tlp == _RED, or_(unaddressed, recipient), person),
        and_(object_columns.tlp.is_(None), or_(unaddressed, recipient, via_parent)),
    )


def scope_clause(scope: CollectionScope, viewer: ViewerScope) -> ColumnElement[bool]:
    """Rows inside the collection's view and within its egress maximum.

    Unmarked objects never leave through a channel, except back to their own producer.
    """
    egress = or_(
        object_columns.tlp <= scope.max_tlp,
        and_(object_columns.tlp.is_(None), object_columns.producer_org_id == (viewer.org_id or "")),
    )
    if scope.kind == "member":
        view: ColumnElement[bool] = object_columns.producer_org_id == scope.subject
    elif scope.kind == "recipient":
        view = _contains(object_columns.recipient_org_ids, scope.subject)
    elif scope.kind == "community":
        view = _contains(object_columns.community_ids, scope.subject)
    else:
        view = true()
    return and_(view, egress)


def query_clauses(query: IntelQuery) -> list[ColumnElement[bool]]:
    """One predicate per filter the query sets."""
    clauses = [_versions(query)]
    if query.ids:
        clauses.append(object_columns.stix_id.in_(query.ids))
    if query.types:
        clauses.append(object_columns.stix_type.in_(query.types))
    if query.spec_versions:
        clauses.append(object_columns.spec_version.in_(query.spec_versions))
    if query.added_after is not None:
        clauses.append(object_columns.date_added > query.added_after)
    if query.producers:
        clauses.append(object_columns.producer_org_id.in_(query.producers))
    if query.marking_refs:
        clauses.append(
            or_(*(_contains(object_columns.marking_refs, m) for m in query.marking_refs))
        )
    if query.version_after is not None:
        clauses.append(object_columns.version >= query.version_after)
    if query.version_before is not None:
        clauses.append(object_columns.version <= query.version_before)
    clauses.extend(_term_clauses(query))
    return clauses


def _versions(query: IntelQuery) -> ColumnElement[bool]:
    if VersionSelector.ALL in query.versions:
        return true()
    chosen: list[ColumnElement[bool]] = []
    if VersionSelector.LAST in query.versions:
        chosen.append(object_columns.is_latest.is_(True))
    if VersionSelector.FIRST in query.versions:
        chosen.append(object_columns.is_first.is_(True))
    if query.explicit_versions:
        chosen.append(object_columns.version.in_(query.explicit_versions))
    return or_(*chosen) if chosen else false()


def _term_clauses(query: IntelQuery) -> list[ColumnElement[bool]]:
    clauses = []
    if query.labels:
        clauses.append(_has_terms([IndexTerm("label", label) for label in query.labels]))
    if query.techniques:
        clauses.append(_has_terms([IndexTerm("technique", t) for t in query.techniques]))
    if query.terms:
        clauses.append(_has_terms(list(query.terms)))
    return clauses


def _has_terms(terms: list[IndexTerm]) -> ColumnElement[bool]:
    """The row has at least one of the terms (IP terms match by range overlap)."""
    t = intel_terms.c
    matches = []
    for term in terms:
        if term.lo is not None and term.hi is not None:
            matches.append(and_(t.kind == term.kind, t.lo <= term.hi, t.hi >= term.lo))
        else:
            matches.append(and_(t.kind == term.kind, t.value == term.value))
    return object_columns.seq.in_(select(t.seq).where(or_(*matches)))
