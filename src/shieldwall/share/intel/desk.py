"""The intelligence desk: what the REST API asks of the store, one call per request.

Each call opens one :func:`~.session.intel_session` (one transaction, one viewer for the
whole request), so a front end never holds a transaction or a rule of its own. Objects the
caller may not receive are "not found", exactly like absent ones; counts, ``more`` and
``next`` never include them. Page tokens are signed for the person and the filters that
made them (:class:`~shieldwall.share.taxii_server.cursor.CursorCodec`), so a token cannot
be replayed by someone else or with other filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shieldwall.model.errors import InputError, NotFoundError
from shieldwall.model.identity import Principal
from shieldwall.model.intel import VersionSelector
from shieldwall.policy.roles import Action, authorise
from shieldwall.share.intel.person_files import Download, Upload, export_download, import_upload
from shieldwall.share.intel.query import Filters, build_query
from shieldwall.share.intel.revocations import read_revocations
from shieldwall.share.intel.search import Found, SearchRequest
from shieldwall.share.intel.session import intel_session
from shieldwall.share.intel.sighting_report import SightingReport, submit_sighting
from shieldwall.share.intel.transfer import ExportFormat, ImportOutcome
from shieldwall.share.intel.validate import parse_timestamp
from shieldwall.share.taxii_server.cursor import CursorCodec, filter_digest
from shieldwall.store.protocols import Store

MAX_SEQ = 2**63 - 1
"""The largest sequence number a store column holds; a larger ``since`` is refused."""

_LISTS = ("types", "ids", "labels", "techniques", "observables", "producers", "markings")
_VALUES = ("added_after", "modified_after", "modified_before", "versions")


@dataclass(frozen=True, slots=True, kw_only=True)
class PageRequest:
    """Which page of a search: its size, the token of the last page, what to add."""

    limit: int = 100
    next: str | None = None
    min_score: float | None = None
    count: bool = False


@dataclass(frozen=True)
class IntelDesk:
    """The REST intelligence operations over one store."""

    store: Store
    codec: CursorCodec

    def search(self, who: Principal, filters: Filters, page: PageRequest) -> dict[str, Any]:
        """Objects the caller may receive, newest-added last, in keyset pages."""
        digest = filter_digest(
            [("@", "rest:objects"), ("min_score", str(page.min_score)), *_parts(filters)]
        )
        after = self.codec.resume(page.next, who.person_id, digest) if page.next else 0
        request = SearchRequest(build_query(filters), page.limit, after, page.min_score, page.count)
        with intel_session(self.store, who) as session:
            found = session.searcher.search(request)
        body: dict[str, Any] = {"objects": [_item(f) for f in found.items], "more": found.more}
        if found.more:
            body["next"] = self.codec.issue(who.person_id, digest, found.last_seq)
        if found.total is not None:
            body["total"] = found.total
            body["total_capped"] = found.total_capped
        return body

    def versions(self, who: Principal, object_id: str, versions: str = "all") -> dict[str, Any]:
        """Every version of one object the caller may receive (``all``, ``last``, ``first``)."""
        try:
            selector = VersionSelector(versions)
        except ValueError as exc:
            raise InputError("must be last, first or all", place="query.versions") from exc
        with intel_session(self.store, who) as session:
            found = session.searcher.versions(object_id, selector)
        if not found:
            raise NotFoundError(f"object {object_id} not found")
        return {"id": object_id, "versions": [_item(f) for f in found]}

    def report_sighting(self, who: Principal, report: SightingReport) -> dict[str, Any]:
        """Publish a sighting; its default audience is the caller and the object's producer."""
        authorise(who, Action.INTEL_PUBLISH, who.org_id)
        with intel_session(self.store, who, write=True) as session:
            obj, _ = submit_sighting(
                session.tx, who, session.directory, session.reader, report, session.now
            )
        return obj

    def import_file(self, who: Principal, upload: Upload) -> list[ImportOutcome]:
        """Publish an uploaded file as received by the caller's organisation, whole or not
        at all when it cannot be read (:mod:`.person_files`)."""
        return import_upload(self.store, who, upload)

    def export_file(self, who: Principal, filters: Filters, format_: ExportFormat) -> Download:
        """What the caller may receive now through the file-export channel, filtered."""
        return export_download(self.store, who, build_query(filters), format_)

    def revocations(self, who: Principal, since: str = "0", limit: int = 100) -> dict[str, Any]:
        """Revocations of objects the caller could see (``since``: a seq or a timestamp)."""
        after_seq, after_time = _since(since)
        with intel_session(self.store, who) as session:
            page = read_revocations(
                session.tx,
                session.reader,
                who,
                after_seq=after_seq,
                after_time=after_time,
                limit=limit,
            )
        return {"revocations": page.items, "more": page.more, "next_since": page.last_seq}


def _item(found: Found) -> dict[str, Any]:
    return {**found.obj, "x_shieldwall_date_added": found.date_added}


def _parts(filters: Filters) -> list[tuple[str, str]]:
    parts: list[tuple[str, str]] = []
    for name in _LISTS:
        parts.extend((name, value) for value in getattr(filters, name))
    parts.extend((name, str(getattr(filters, name))) for name in _VALUES)
    return parts


def _since(text: str) -> tuple[int, datetime | None]:
    if text.isdigit() and text.isascii():
        if len(text) > 19 or int(text) > MAX_SEQ:
            raise InputError("is larger than any sequence number", place="query.since")
        return int(text), None
    try:
        return 0, parse_timestamp(text)
    except ValueError as exc:
        raise InputError(
            "give the next_since of the last page, or a timestamp ending in Z",
            place="query.since",
        ) from exc
