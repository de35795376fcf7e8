"""Reading pages of intelligence through the one gate.

A page is fetched in sequence order with a SQL prefilter (the viewer, the collection's
view and egress maximum, the query's filters), then every row is confirmed here:

- the gate (:meth:`Viewer.decide`) on the object's audience, and for derived objects
  (reports, groupings, notes, opinions, sightings) on their stored contents too, so a
  derived object never widens what it is made of;
- the channel's egress maximum (:func:`egress_decision`); unmarked objects leave only
  towards their own producer;
- references the viewer may not see are stripped (``policy.references``); an object that
  cannot be served without them is withheld. Its producer gets it as written: the ids
  are its own words, and stripping them would tell it which of the ids it named are held
  by someone else (hidden) and which are not (absent), the write-path oracle of issue 9.

Because rows are removed *before* the page is cut, ``more`` and the page boundaries reveal
nothing about hidden objects: a page holds ``limit`` visible rows and ``more`` is true
exactly when one more visible row exists. Reads of TLP:AMBER+STRICT and TLP:RED material
append one audit entry per page naming each object and version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import orjson

from shieldwall.model.audit import AuditRecord
from shieldwall.model.identity import Principal
from shieldwall.model.intel import (
    Audience,
    CollectionScope,
    IntelQuery,
    PageRequest,
    StoredVersion,
)
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.derived import CONTENT_FIELDS, decide_derived
from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.policy.egress import Channel, egress_decision
from shieldwall.policy.gate import Viewer
from shieldwall.policy.references import strip_references
from shieldwall.share.intel.audience import descriptor_of, scope_of
from shieldwall.share.intel.validate import format_timestamp
from shieldwall.store.protocols import UnitOfWork

AuditSink = Callable[[AuditRecord], object]
"""Where the audit record of a read goes."""

AUDITED_LEVELS = frozenset({TlpLevel.AMBER_STRICT, TlpLevel.RED})
"""Reads of these levels are audited (and of unmarked objects, which default to STRICT)."""


@dataclass(frozen=True, slots=True)
class Served:
    """One object version as this viewer may receive it."""

    seq: int
    stix_id: str
    version: str
    date_added: str
    spec_version: str
    body: str
    restricted: bool = False
    """TLP:AMBER+STRICT, TLP:RED or unmarked: serving it is audited."""
    stix_type: str = ""


@dataclass(frozen=True, slots=True)
class Page:
    """Visible rows in sequence order; ``more`` when another visible row exists."""

    items: list[Served]
    more: bool
    last_seq: int


class IntelReader:
    """Pages for one viewer in one request (build it once per request)."""

    def __init__(
        self,
        tx: UnitOfWork,
        viewer: Viewer,
        principal: Principal,
        *,
        public_refs: frozenset[str] = frozenset(),
        audit_pages: bool = True,
        audit: AuditSink | None = None,
    ) -> None:
        """``public_refs`` are ids every member may resolve (the members' own identities).

        ``audit_pages`` False leaves auditing to the caller (:func:`audit_restricted`), for
        requests that read several pages but must write one audit entry. ``audit`` is where
        audit records of reads go: by default the transaction's own audit log; a read-only
        request collects them and writes them once its reading is done (:mod:`.session`).
        """
        self._tx = tx
        self._audit_pages = audit_pages
        self.audit: AuditSink = audit if audit is not None else tx.audit.append
        self.viewer = viewer
        self._principal = principal
        self._scope = scope_of(viewer)
        self._public_refs = public_refs

    def page(
        self,
        query: IntelQuery,
        *,
        after_seq: int = 0,
        limit: int = 100,
        scope: CollectionScope | None = None,
        channel: Channel | None = None,
    ) -> Page:
        """Up to ``limit`` visible rows after ``after_seq``."""
        served: list[Served] = []
        cursor, fetch = after_seq, limit + 1
        while len(served) <= limit:
            request = PageRequest(self._scope, query, scope, cursor, fetch)
            rows = self._tx.intel.page(request)
            served.extend(self._confirm(rows, channel))
            if len(rows) < fetch:
                break
            cursor, fetch = rows[-1].seq, max(fetch, 2 * (limit + 1 - len(served)))
        more = len(served) > limit
        items = served[:limit]
        if self._audit_pages:
            audit_restricted(self.audit, self._principal, items)
        return Page(items, more, items[-1].seq if items else after_seq)

    def confirm(
        self,
        rows: Sequence[StoredVersion],
        channel: Channel | None,
        facts: Sequence[RowFacts] | None = None,
    ) -> list[Served]:
        """The rows this viewer may receive through ``channel``, as :meth:`page` serves
        them, for a caller that read the rows once for several viewers (the watchlists),
        and may give their :func:`row_facts`, worked out once for every viewer. Nothing
        is audited here: the caller audits what it serves (:func:`audit_restricted`).
        """
        return list(self._confirm(rows, channel, facts))

    def _confirm(
        self,
        rows: Sequence[StoredVersion],
        channel: Channel | None,
        facts: Sequence[RowFacts] | None = None,
    ) -> Iterable[Served]:
        visible = self._visibility(rows)
        for at, row in enumerate(rows):
            fact = facts[at] if facts is not None else None
            descriptor = (
                descriptor_of(row.stix_id, row.audience) if fact is None else fact.descriptor
            )
            if not self._allowed(row, descriptor, channel, visible):
                continue
            body = self._body(row, visible)
            if body is not None:
                fact = fact or row_facts(row, descriptor)
                yield Served(
                    row.seq,
                    row.stix_id,
                    fact.version,
                    fact.date_added,
                    row.spec_version,
                    body,
                    fact.restricted,
                    row.stix_type,
                )

    def _visibility(self, rows: Sequence[StoredVersion]) -> dict[str, bool]:
        refs = {ref for row in rows for ref in row.refs} - self._public_refs
        held = self._tx.intel.latest_audiences(refs) if refs else {}
        return {
            ref: any(self.viewer.decide(descriptor_of(ref, a)).allowed for a in audiences)
            for ref, audiences in held.items()
        }

    def _allowed(
        self,
        row: StoredVersion,
        descriptor: ObjectDescriptor,
        channel: Channel | None,
        visible: dict[str, bool],
    ) -> bool:
        if row.stix_type in CONTENT_FIELDS:
            hidden = [ref for ref in row.refs if visible.get(ref) is False]
            contents = [descriptor_of(ref, _NOBODY) for ref in hidden]
            decision = decide_derived(self.viewer, descriptor, contents)
        else:
            decision = self.viewer.decide(descriptor)
        if not decision.allowed:
            return False
        if channel is None:
            return True
        if descriptor.tlp is None:
            return row.audience.producer_org_id == self.viewer.org_id
        return egress_decision(channel, descriptor).allowed

    def _body(self, row: StoredVersion, visible: dict[str, bool]) -> str | None:
        if row.audience.producer_org_id == self.viewer.org_id:
            return row.body  # its own words: a hidden ref must read like an absent one
        if all(visible.get(ref, True) for ref in row.refs):
            return row.body
        stripped = strip_references(
            orjson.loads(row.body), lambda ref: visible.get(ref, True), source=row.stix_id
        )
        return orjson.dumps(stripped.object).decode() if stripped.servable else None


@dataclass(frozen=True, slots=True)
class RowFacts:
    """What serving a row needs whoever the viewer: the gate's view of its audience, its
    timestamps as served, whether serving it is audited."""

    descriptor: ObjectDescriptor
    version: str
    date_added: str
    restricted: bool


def row_facts(row: StoredVersion, descriptor: ObjectDescriptor | None = None) -> RowFacts:
    """The :class:`RowFacts` of a row (``descriptor``: its own, when already made)."""
    return RowFacts(
        descriptor_of(row.stix_id, row.audience) if descriptor is None else descriptor,
        format_timestamp(row.version),
        format_timestamp(row.date_added),
        _restricted(row.audience),
    )


def _restricted(audience: Audience) -> bool:
    return audience.tlp is None or TlpLevel(audience.tlp) in AUDITED_LEVELS


def audit_restricted(
    audit: AuditSink,
    principal: Principal,
    items: Sequence[Served],
    action: str = "intel.read-restricted",
) -> None:
    """One audit entry naming every restricted version served (none when nothing was)."""
    restricted = [f"{item.stix_id}@{item.version}" for item in items if item.restricted]
    if not restricted:
        return
    audit(
        AuditRecord(
            principal=principal.person_id,
            org_id=principal.org_id,
            action=action,
            object_type="stix-object",
            object_id=restricted[0],
            detail=" ".join(restricted),
        )
    )


_NOBODY = Audience(producer_org_id="", tlp=int(TlpLevel.RED))
"""An audience no viewer passes: stands for content the viewer was refused."""
