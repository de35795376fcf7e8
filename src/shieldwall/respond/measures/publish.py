"""Building a member's list version: gate, subscription, allow-list, version, files, manifest.

1. In one read transaction: the subscription, the allow-list entries that apply (the
   member's and the coalition's), and the issued measures current now that the gate lets
   this member receive.
2. The indicators the member may receive now, from the runtime's source (the gate again,
   in ``share``), when the subscription wants them.
3. Refused values dropped with their reason; kinds and confidence the subscription wants
   kept; one item per value; the allow-list applied, and what it stopped kept.
4. The version: the last one when the digest is unchanged, else the next number, stored
   (a concurrent builder of the same number loses on the primary key and takes the winner's).
5. Files rendered for the subscription's formats and the manifest signed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from weakref import WeakKeyDictionary

from shieldwall.model.errors import ConflictError, NotFoundError
from shieldwall.model.identity import Principal
from shieldwall.model.measures import ListVersion, MeasureFormat, Subscription
from shieldwall.policy.directory import SnapshotDirectory
from shieldwall.policy.roles import Action, authorise
from shieldwall.respond.measures import held
from shieldwall.respond.measures.allow import AllowSet, Stopped
from shieldwall.respond.measures.audience import member_viewer, receives
from shieldwall.respond.measures.build import ListBuild, counts_of, digest_of, etag_from, render
from shieldwall.respond.measures.formats import WRITERS
from shieldwall.respond.measures.items import Item, dedupe
from shieldwall.respond.measures.sources import (
    IndicatorSource,
    IndicatorStamp,
    Refused,
    from_terms,
    wanted,
)
from shieldwall.store.audit.signing import Signer
from shieldwall.store.protocols import Store


@dataclass(frozen=True, slots=True)
class Inputs:
    """What one version is made of, before the version is chosen."""

    subscription: Subscription
    items: list[Item]
    stopped: list[Stopped]
    refused: list[Refused]
    digest: str
    until: datetime | None
    """When the first of these items expires: the inputs are stale from then on."""


Stamp = tuple[object, ...]
_remembered: WeakKeyDictionary[Store, dict[tuple[str, str], tuple[Stamp, Inputs]]]
_remembered = WeakKeyDictionary()
_remembered_lock = threading.Lock()


def gather(
    store: Store,
    indicators: IndicatorSource,
    org_id: str,
    name: str,
    now: datetime,
    indicator_stamp: IndicatorStamp = lambda: 0,
) -> Inputs:
    """Steps 1 to 3: the items of the member's list now, and what was left out.

    The inputs are remembered per store, member and subscription under a stamp of
    everything they depend on — the measures table (count, withdrawn), the intelligence
    store's indicator change number, the subscription, the allow-list entries, the
    organisations and communities the gate reads — and until the first item expires.
    Each stamp part is read before what it stands for, so a change racing a build makes
    the next build read again, never serves stale items.
    """
    intel_seen = indicator_stamp()
    with store.reading() as tx:
        subscription = next(
            (sub for sub in tx.measures.subscriptions(org_id) if sub.name == name), None
        )
        if subscription is None:
            raise NotFoundError("not found")
        allowed = tuple(tx.measures.allowed(org_id))
        orgs, communities = tuple(tx.organisations.list()), tuple(tx.communities.list())
        stamp = (tx.measures.stamp(), intel_seen, subscription, allowed, orgs, repr(communities))
        known = _recall(store, (org_id, name), stamp, now)
        if known is not None:
            return known
        viewer = member_viewer(SnapshotDirectory(orgs, (), communities), org_id)
        issued = held.current(store, tx, now)
    items = issued.received(lambda measure: receives(viewer, measure))
    refused: list[Refused] = []
    found: list[Item] = []
    if subscription.indicators and viewer.org_id is not None:
        found, refused = from_terms(indicators(org_id, now))
        items.extend(found)
    chosen = dedupe(wanted(items, subscription), ranked=not found)
    kept, stopped = AllowSet(allowed).split(chosen)
    until = min(filter(None, map(itemgetter(6), chosen)), default=None)  # valid_until
    digest = digest_of(kept, sorted(subscription.formats))
    inputs = Inputs(subscription, kept, stopped, refused, digest, until)
    with _remembered_lock:
        _remembered.setdefault(store, {})[(org_id, name)] = (stamp, inputs)
    return inputs


def _recall(store: Store, key: tuple[str, str], stamp: Stamp, now: datetime) -> Inputs | None:
    with _remembered_lock:
        held = _remembered.get(store, {}).get(key)
    if held is None or held[0] != stamp:
        return None
    inputs = held[1]
    return inputs if inputs.until is None or now < inputs.until else None


def settle_version(store: Store, inputs: Inputs, now: datetime) -> ListVersion:
    """Step 4: the version these items are (a new one only when the digest moved)."""
    sub = inputs.subscription
    digest = inputs.digest
    for _ in range(3):
        try:
            with store.transaction() as tx:
                latest = tx.measures.latest_version(sub.org_id, sub.name)
                if latest is not None and latest.digest == digest:
                    return latest
                number = 1 if latest is None else latest.version + 1
                counts = counts_of(inputs.items)
                version = ListVersion(sub.org_id, sub.name, number, digest, now, counts)
                tx.measures.add_version(version)
        except ConflictError:  # another builder stored that number first: read it again
            continue
        return version
    raise ConflictError("the list changed while it was built; try again")


def build_list(
    store: Store,
    signer: Signer,
    indicators: IndicatorSource,
    who: Principal,
    org_id: str,
    name: str,
    now: datetime,
    only: MeasureFormat | None = None,
    indicator_stamp: IndicatorStamp = lambda: 0,
) -> ListBuild:
    """One version of the member's list under the named subscription (steps 1 to 5);
    ``only`` renders that one format (a pull), NotFoundError when not subscribed to."""
    authorise(who, Action.MEASURES_READ, org_id)
    inputs = gather(store, indicators, org_id, name, now, indicator_stamp)
    formats = sorted(inputs.subscription.formats)
    if only is not None:
        if only not in inputs.subscription.formats:
            raise NotFoundError("not found")
        formats = [only]
    version = settle_version(store, inputs, now)
    files, manifest = render(version, inputs.items, formats, signer)
    named = manifest["files"]
    etags = {fmt.value: etag_from(named[WRITERS[fmt].file_name]) for fmt in files}
    return ListBuild(version, files, manifest, inputs.items, inputs.stopped, inputs.refused, etags)


def member_items(
    store: Store,
    indicators: IndicatorSource,
    who: Principal,
    org_id: str,
    now: datetime,
    indicator_stamp: IndicatorStamp = lambda: 0,
) -> list[Item]:
    """Every item of the member's lists now, over all its subscriptions (one per value,
    the most confident, as :func:`.items.dedupe` keeps it), ranked; what its TAXII
    collection holds."""
    authorise(who, Action.MEASURES_READ, org_id)
    with store.reading() as tx:
        names = sorted(sub.name for sub in tx.measures.subscriptions(org_id))
    lists: list[list[Item]] = []
    for name in names:
        try:
            lists.append(gather(store, indicators, org_id, name, now, indicator_stamp).items)
        except NotFoundError:  # unsubscribed since: nothing of it is served
            continue
    if len(lists) == 1:
        return list(lists[0])  # one list: already one item per value, ranked
    return dedupe([item for found in lists for item in found])
