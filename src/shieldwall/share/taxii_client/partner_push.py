"""A push to a configured partner: what its member organisation may receive now, then tombstones.

The partner's member organisation is the audience: the push sends what an export for it
would hold (its viewer, no person, so never TLP:RED) within the partner's maximum TLP,
then the tombstones (``revoked`` versions) of objects that organisation could see and no
longer may (:func:`~shieldwall.share.taxii_server.tombstones.tombstones_for`). The store is
read in one transaction, closed before the first byte goes out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from shieldwall.config.taxii import TaxiiPartner
from shieldwall.model.errors import InputError, NotFoundError
from shieldwall.model.intel import IntelQuery
from shieldwall.policy.egress import Channel, ChannelKind
from shieldwall.share.intel.export import select_for
from shieldwall.share.intel.org_viewer import org_operator
from shieldwall.share.intel.read import IntelReader
from shieldwall.share.intel.validate import parse_timestamp
from shieldwall.share.taxii_client.push import CEILINGS, PushReport, open_pusher
from shieldwall.share.taxii_server.tombstones import tombstones_for
from shieldwall.store.protocols import Store


def push_to_partner(
    store: Store,
    partners: Sequence[TaxiiPartner],
    name: str,
    *,
    since: str | None = None,
    env: Mapping[str, str],
) -> PushReport:
    """Push to the partner called ``name``; ``since`` keeps objects added after that time."""
    remote = _partner(partners, name)
    query = IntelQuery(added_after=_since(since))
    channel = Channel(remote.name, ChannelKind.FEED, CEILINGS[remote.max_tlp])
    with store.transaction() as tx:
        selection = select_for(tx, remote.organisation, query, channel=channel)
        operator = org_operator(tx.organisations.get(remote.organisation), remote.organisation)
        reader = IntelReader(tx, selection.viewer, operator)
        revoked = list(
            tombstones_for(
                tx, reader, operator, int(channel.max_level), after_time=query.added_after
            )
        )
    pusher = open_pusher(remote, env=env)
    try:
        return pusher.push((item.obj for item in selection.items), revoked)
    finally:
        pusher.close()


def _partner(partners: Sequence[TaxiiPartner], name: str) -> TaxiiPartner:
    found = next((p for p in partners if p.name == name), None)
    if found is None:
        known = ", ".join(p.name for p in partners) or "none configured"
        raise NotFoundError(f"partner {name!r} is not configured (known: {known})")
    if not found.organisation:
        raise InputError(
            "names no member organisation (set organisation in its [[taxii_partners]] entry)",
            source=f"partner {name}",
        )
    return found


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_timestamp(text)
    except ValueError as exc:
        raise InputError(str(exc), source="--since") from exc
