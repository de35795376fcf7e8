"""Members' subscriptions and allow-lists: who may change them, checked values, audited.

A member's lead (or the centre's admin) manages the member's subscriptions and its own
allow-list; the coalition-wide allow-list is the centre's admin's alone. Names of
subscriptions are slugs, since they travel into file headers and URLs.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime

from shieldwall.model.audit import AuditRecord
from shieldwall.model.errors import InputError, NotFoundError
from shieldwall.model.identity import Principal
from shieldwall.model.measures import AllowEntry, MeasureKind, Subscription
from shieldwall.policy.roles import Action, authorise
from shieldwall.respond.measures.values import normalise
from shieldwall.store.protocols import UnitOfWork

SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
MAX_SUBSCRIPTIONS = 20


def subscribe(tx: UnitOfWork, who: Principal, subscription: Subscription) -> Subscription:
    """Create or replace one of the member's subscriptions."""
    authorise(who, Action.MEASURES_SUBSCRIBE, subscription.org_id)
    _known_member(tx, subscription.org_id)
    if not SLUG.fullmatch(subscription.name):
        raise InputError("a subscription name is a slug: a-z, 0-9, '-', '_'", place="name")
    if not subscription.kinds or not subscription.formats:
        raise InputError("a subscription needs one kind and one format at least")
    if not 0 <= subscription.min_confidence <= 100:
        raise InputError("min_confidence is 0 to 100", place="min_confidence")
    held = {sub.name for sub in tx.measures.subscriptions(subscription.org_id)}
    if subscription.name not in held and len(held) >= MAX_SUBSCRIPTIONS:
        raise InputError(f"a member has {MAX_SUBSCRIPTIONS} subscriptions at most")
    tx.measures.subscribe(subscription)
    _audit(tx, who, subscription.org_id, "measure.subscribe", subscription.name)
    return subscription


def unsubscribe(tx: UnitOfWork, who: Principal, org_id: str, name: str) -> None:
    """Remove one of the member's subscriptions; NotFoundError when there is none."""
    authorise(who, Action.MEASURES_SUBSCRIBE, org_id)
    if not tx.measures.unsubscribe(org_id, name):
        raise NotFoundError("not found")
    _audit(tx, who, org_id, "measure.unsubscribe", name)


def subscriptions(tx: UnitOfWork, who: Principal, org_id: str) -> Sequence[Subscription]:
    """The member's subscriptions."""
    authorise(who, Action.MEASURES_READ, org_id)
    return tx.measures.subscriptions(org_id)


def allow(
    tx: UnitOfWork,
    who: Principal,
    org_id: str | None,
    kind: str,
    value: str,
    note: str,
    now: datetime,
) -> AllowEntry:
    """Add a never-block entry for the member, or (``org_id`` None) for the coalition."""
    if org_id is None:
        authorise(who, Action.MEASURES_ALLOW_COALITION, None)
    else:
        authorise(who, Action.MEASURES_SUBSCRIBE, org_id)
        _known_member(tx, org_id)
    try:
        measure_kind = MeasureKind(kind)
    except ValueError:
        raise InputError("kind must be ip, domain, md5, sha1 or sha256", place="kind") from None
    if measure_kind is MeasureKind.URL:
        raise InputError("allow a URL's host (ip or domain), not a URL", place="kind")
    if len(note) > 500 or not note.isprintable():
        raise InputError("a note of 500 printable characters at most", place="note")
    entry = AllowEntry(
        str(uuid.uuid4()),
        org_id,
        measure_kind,
        normalise(measure_kind, value),
        note,
        who.person_id,
        now,
    )
    tx.measures.allow(entry)
    _audit(tx, who, org_id or "-", "measure.allow", f"{entry.kind} {entry.value}")
    return entry


def disallow(tx: UnitOfWork, who: Principal, entry_id: str) -> None:
    """Remove an allow-list entry the caller may manage; NotFoundError otherwise."""
    entry = tx.measures.allow_entry(entry_id)
    visible = entry is not None and (
        who.is_centre_admin or entry.org_id is None or entry.org_id == who.org_id
    )
    if entry is None or not visible:
        raise NotFoundError("not found")
    if entry.org_id is None:
        authorise(who, Action.MEASURES_ALLOW_COALITION, None)
    else:
        authorise(who, Action.MEASURES_SUBSCRIBE, entry.org_id)
    tx.measures.disallow(entry_id)
    _audit(tx, who, entry.org_id or "-", "measure.disallow", f"{entry.kind} {entry.value}")


def allowlist(tx: UnitOfWork, who: Principal, org_id: str | None) -> Sequence[AllowEntry]:
    """The coalition's entries, and the member's own when ``org_id`` is given."""
    authorise(who, Action.MEASURES_READ, org_id)
    return tx.measures.allowed(org_id)


def _known_member(tx: UnitOfWork, org_id: str) -> None:
    if tx.organisations.get(org_id) is None:
        raise NotFoundError("not found")


def _audit(tx: UnitOfWork, who: Principal, org_id: str, action: str, detail: str) -> None:
    tx.audit.append(
        AuditRecord(who.person_id, org_id, action, "measure-setting", detail[:200], detail=detail)
    )
