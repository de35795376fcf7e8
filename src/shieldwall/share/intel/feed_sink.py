"""Pulled TAXII objects into the intelligence store: the :class:`ObjectSink` of the feeds.

Each feed names the member that receives what it brings (``organisation``): that member
is recorded as producer in the store, and the objects are stored through
:func:`~.publish.publish_received`, so they are validated, keep their own
``created_by_ref`` as provenance (an object naming *another member's* identity is refused:
a member's objects reach the store only from that member), and are held per receiving
member (several feeds or members may pull the same object, each with its own copy).

Audience: the object's own markings; an unmarked object takes the feed's
``unmarked_tlp`` when set, else stays unmarked and so takes the receiving member's default
(TLP:AMBER+STRICT), which never leaves through an export or a partner channel. The
marking is part of the stored audience only; the pulled object itself is not changed.

Idempotent: a version already held by the receiving member, keyed by (id, version), is
counted unchanged and not stored again, so a re-run of a page changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shieldwall.config.taxii import TaxiiFeed
from shieldwall.model.errors import ConfigError, InputError
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.descriptor import ObjectDescriptor, marking_refs_of
from shieldwall.policy.markings import TLP2_BY_LEVEL
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.org_viewer import org_operator
from shieldwall.share.intel.publish import Submission, publish_received
from shieldwall.share.taxii_client.envelope import Rejected
from shieldwall.share.taxii_client.sink import SinkResult
from shieldwall.store.protocols import Store

LEVELS = {
    "clear": TlpLevel.CLEAR,
    "green": TlpLevel.GREEN,
    "amber": TlpLevel.AMBER,
    "amber+strict": TlpLevel.AMBER_STRICT,
    "red": TlpLevel.RED,
}
FEED_PRINCIPAL = "system:taxii-feed"


def check_feed_organisations(store: Store, feeds: Sequence[TaxiiFeed]) -> None:
    """Refuse feeds that name no receiving member, or one the store does not know."""
    with store.transaction() as tx:
        for index, feed in enumerate(feeds):
            key = f"taxii_feeds[{index}].organisation"
            if not feed.organisation:
                raise ConfigError(key, f"feed {feed.name} names no member to receive its objects")
            if tx.organisations.get(feed.organisation) is None:
                raise ConfigError(key, f"organisation {feed.organisation} is not a member")


class IntelSink:
    """Stores pulled pages for the member each feed names (see the module docstring)."""

    def __init__(self, store: Store, feeds: Sequence[TaxiiFeed]) -> None:
        self._store = store
        self._feeds = {feed.name: feed for feed in feeds}

    def accept(self, source: str, objects: Sequence[Mapping[str, Any]]) -> SinkResult:
        """Store the new versions; report each refused object with the reason."""
        feed = self._feeds.get(source)
        if feed is None or not feed.organisation:
            reason = f"feed {source} names no member to receive its objects"
            return SinkResult(
                0, 0, tuple(Rejected(_place(o, i), reason) for i, o in enumerate(objects))
            )
        submissions = [_submission(obj, feed) for obj in objects]
        with self._store.transaction() as tx:
            org = tx.organisations.get(feed.organisation)
            if org is None:
                reason = f"organisation {feed.organisation} is not a member"
                rejected = tuple(Rejected(_place(o, i), reason) for i, o in enumerate(objects))
                return SinkResult(0, 0, rejected)
            principal = org_operator(org, org.id, FEED_PRINCIPAL)
            result = publish_received(
                tx, principal, submissions, StoreDirectory(tx), source=f"feed {source}"
            )
        rejected = tuple(Rejected(f.id or "object", f.message) for f in result.failures)
        unchanged = len(result.successes) - len(result.stored)
        return SinkResult(stored=len(result.stored), unchanged=unchanged, rejected=rejected)


def _submission(obj: Mapping[str, Any], feed: TaxiiFeed) -> Submission:
    if feed.unmarked_tlp is None:
        return Submission(obj)
    try:
        refs = marking_refs_of(obj, source=feed.name)
    except InputError:
        return Submission(obj)  # validation refuses it with the reason
    if refs:
        return Submission(obj)
    marking = TLP2_BY_LEVEL[LEVELS[feed.unmarked_tlp]].id
    made = ObjectDescriptor(str(obj.get("id", "")), feed.organisation, (marking,))
    return Submission(obj, made)


def _place(obj: Mapping[str, Any], index: int) -> str:
    ident = obj.get("id")
    return ident if isinstance(ident, str) else f"batch[{index}]"
