"""A member's protective measures as a TAXII collection: ``Protective measures for <org>``.

Issue 11: a member pulls the measures it subscribed to with a sensor token, or through its
own TAXII collection. The measures belong to ``respond``, which this application does not
import: the runtime hands the server a :class:`MeasureFeed` that gives, for one member, the
STIX 2.1 indicators of its lists now — the same items its list files hold, so the gate,
the subscriptions' kinds and confidence, the allow-lists, expiry and withdrawal all apply
(a withdrawn measure is simply absent from the next read; no tombstone is served).

Like the revocations collection, it is not stored: its id is derived from the member's id
(:func:`.collection_views.measures_collection`). Only the member (and the centre) may read
it, nobody may write it; for anyone else it answers exactly as an absent collection.

Objects are ordered by ``date_added`` (the measure's issue time, or the indicator's last
change: the indicator's ``created``) and then by id; the ``next`` token carries that
position (:func:`_listed`). ``added_after`` compares at milliseconds, as STIX timestamps of
measures are written.
Filters: ``added_after``, ``match[id]``, ``match[type]``, ``match[spec_version]`` and the
``match[version]`` keywords (each object has one version); any other filter is a 400.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from shieldwall.model.errors import NotFoundError
from shieldwall.model.intel import CollectionRecord
from shieldwall.share.intel.validate import parse_timestamp
from shieldwall.share.taxii_server.cursor import CursorCodec, filter_digest
from shieldwall.share.taxii_server.params import parse_plain_paging
from shieldwall.store.protocols import UnitOfWork

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLI = timedelta(milliseconds=1)
_RANK_BITS = 21
"""A position is 63 bits (a cursor holds a signed 64-bit number): 42 of milliseconds since
1970 (to 2109), 21 of rank within one millisecond (two million objects)."""


class MeasureFeed(Protocol):
    """What the runtime gives the server of ``respond``'s measures."""

    def members(self) -> Collection[str]:
        """The organisations subscribed to protective measures (each has a collection)."""
        ...

    def indicators(self, org_id: str) -> Sequence[Mapping[str, Any]]:
        """The STIX 2.1 indicators of the member's lists now (through the gate)."""
        ...


@dataclass(frozen=True, slots=True)
class Listed:
    """One object of the collection with its ``date_added`` and its place in the order."""

    body: Mapping[str, Any]
    date_added: str
    position: int


@dataclass(frozen=True, slots=True)
class MeasurePage:
    """A page of the collection and the token to continue."""

    items: list[Listed]
    more: bool
    next_token: str | None


def measures_page(
    feed: MeasureFeed,
    codec: CursorCodec,
    person_id: str,
    record: CollectionRecord,
    params: Iterable[tuple[str, str]],
    endpoint: str,
    object_id: str | None = None,
) -> MeasurePage:
    """The member's indicators after the ``next`` token, filtered (404 for an absent id)."""
    paging = parse_plain_paging(params, "measures")
    query = paging.query
    ids = set(query.ids) | ({object_id} if object_id else set())
    types, specs = set(query.types), set(query.spec_versions)
    listed = _listed(feed.indicators(record.subject))
    if object_id is not None and not any(i.body.get("id") == object_id for i in listed):
        raise NotFoundError(f"object {object_id} not found")
    floor = None if query.added_after is None else _millis(query.added_after)
    digest = filter_digest([*paging.filter_parts, ("@", f"{endpoint}:{record.id}:{object_id}")])
    after = codec.resume(paging.next_token, person_id, digest) if paging.next_token else -1
    kept = [
        item
        for item in listed
        if item.position > after
        and (floor is None or item.position >> _RANK_BITS > floor)
        and (not ids or item.body.get("id") in ids)
        and (not types or item.body.get("type") in types)
        and (not specs or "2.1" in specs)
    ]
    page, more = kept[: paging.limit], len(kept) > paging.limit
    token = codec.issue(person_id, digest, page[-1].position) if more else None
    return MeasurePage(page, more, token)


def _listed(bodies: Iterable[Mapping[str, Any]]) -> list[Listed]:
    """The objects in order, each with its place: the milliseconds of ``created`` (STIX
    timestamps of measures carry milliseconds), then its rank among the objects of that
    millisecond by id. A rank moves only when an object of the same millisecond comes or
    goes between two pages; the next page then may repeat or skip one of those."""
    ordered = sorted(bodies, key=lambda body: (str(body["created"]), str(body["id"])))
    listed: list[Listed] = []
    millis: dict[str, int] = {}
    rank, last = 0, ""
    for body in ordered:
        added = str(body["created"])
        rank = rank + 1 if added == last else 0
        last = added
        if added not in millis:
            millis[added] = _millis(parse_timestamp(added))
        listed.append(Listed(body, added, millis[added] << _RANK_BITS | rank))
    return listed


def _millis(moment: datetime) -> int:
    return (moment - _EPOCH) // _MILLI


def collection_members(tx: UnitOfWork, feed: MeasureFeed | None) -> list[tuple[str, str]]:
    """(id, name) of the active organisations subscribed to measures."""
    if feed is None:
        return []
    wanted = set(feed.members())
    return [(o.id, o.name) for o in tx.organisations.list() if o.active and o.id in wanted]
