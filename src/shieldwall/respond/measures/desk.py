"""The front door to protective measures: what the API, the CLI and playbooks call.

Each call opens its own transactions and is checked against the permission table
(:mod:`shieldwall.policy.roles`) and, for what a member receives, the sharing gate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shieldwall.model.errors import InputError, PermissionDeniedError
from shieldwall.model.identity import Principal
from shieldwall.model.measures import AllowEntry, Measure, MeasureFormat, Subscription
from shieldwall.policy.roles import Action, authorise
from shieldwall.respond.measures import issue as issuing
from shieldwall.respond.measures import settings
from shieldwall.respond.measures.audience import directory_of, member_viewer, receives
from shieldwall.respond.measures.build import ListBuild
from shieldwall.respond.measures.formats import BuildContext
from shieldwall.respond.measures.formats.stix import indicator_objects
from shieldwall.respond.measures.issue import IssueOutcome, IssueRequest
from shieldwall.respond.measures.manifest import public_key_pem
from shieldwall.respond.measures.publish import build_list, member_items
from shieldwall.respond.measures.sources import IndicatorSource, IndicatorStamp, IndicatorTerm
from shieldwall.store.audit.signing import Signer
from shieldwall.store.protocols import Store


def _no_indicators(org_id: str, now: datetime) -> Sequence[IndicatorTerm]:
    del org_id, now
    return ()


def _no_changes() -> int:
    return 0


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class MeasureDesk:
    """Issue, withdraw and list measures; subscriptions and allow-lists; build lists."""

    store: Store
    signer: Signer
    indicators: IndicatorSource = _no_indicators
    clock: Callable[[], datetime] = field(default=_now)
    indicator_stamp: IndicatorStamp = field(default=_no_changes)

    def issue(self, who: Principal, request: IssueRequest, idempotency_key: str) -> IssueOutcome:
        """Issue a measure once per key (a replay returns the first); InputError when the
        coalition's allow-list stops it (the refusal is audited and nothing is stored)."""
        measure = issuing.prepare(who, request, idempotency_key, self.clock())
        with self.store.transaction() as tx:
            outcome = issuing.issue(tx, who, measure)
        if outcome.stopped_by is not None:
            entry = outcome.stopped_by
            raise InputError(
                f"{measure.value} is on the coalition's allow-list ({entry.kind} "
                f"{entry.value}: {entry.note or 'no note'}); nothing was issued",
                place="value",
            )
        return outcome

    def withdraw(self, who: Principal, measure_id: str, reason: str) -> Measure:
        """Withdraw a measure: gone from the next version of every list."""
        with self.store.transaction() as tx:
            return issuing.withdraw(tx, who, measure_id, reason, self.clock())

    def measures(self, who: Principal, *, current: bool = True) -> Sequence[Measure]:
        """The measures the caller's organisation issued or may receive (all, for the
        centre's admin); only the current ones unless ``current`` is False."""
        authorise(who, Action.MEASURES_READ, who.org_id)
        now = self.clock()
        with self.store.reading() as tx:
            found = tx.measures.list(current_at=now if current else None)
            if who.is_centre_admin:
                return found
            viewer = member_viewer(directory_of(tx), who.org_id)
        return [m for m in found if m.org_id == who.org_id or receives(viewer, m)]

    def subscribe(self, who: Principal, subscription: Subscription) -> Subscription:
        """Create or replace one of a member's subscriptions."""
        with self.store.transaction() as tx:
            return settings.subscribe(tx, who, subscription)

    def unsubscribe(self, who: Principal, org_id: str, name: str) -> None:
        """Remove one of a member's subscriptions."""
        with self.store.transaction() as tx:
            settings.unsubscribe(tx, who, org_id, name)

    def subscriptions(self, who: Principal, org_id: str) -> Sequence[Subscription]:
        """A member's subscriptions."""
        with self.store.reading() as tx:
            return settings.subscriptions(tx, who, org_id)

    def allow(
        self, who: Principal, org_id: str | None, kind: str, value: str, note: str = ""
    ) -> AllowEntry:
        """Never block this value, for the member or (``org_id`` None) the coalition."""
        with self.store.transaction() as tx:
            return settings.allow(tx, who, org_id, kind, value, note, self.clock())

    def disallow(self, who: Principal, entry_id: str) -> None:
        """Remove an allow-list entry."""
        with self.store.transaction() as tx:
            settings.disallow(tx, who, entry_id)

    def allowlist(self, who: Principal, org_id: str | None) -> Sequence[AllowEntry]:
        """The coalition's entries, and the member's when given."""
        with self.store.reading() as tx:
            return settings.allowlist(tx, who, org_id)

    def build(
        self,
        who: Principal,
        org_id: str,
        subscription: str = "default",
        only: MeasureFormat | None = None,
    ) -> ListBuild:
        """The member's list version now: files, signed manifest, what was stopped/refused
        (``only``: just that format's file, as a pull needs)."""
        return build_list(
            self.store,
            self.signer,
            self.indicators,
            who,
            org_id,
            subscription,
            self.clock(),
            only,
            self.indicator_stamp,
        )

    def stix_objects(self, who: Principal, org_id: str) -> list[dict[str, Any]]:
        """The member's measures now as STIX 2.1 indicators, over all its subscriptions
        (what its TAXII collection serves; the same items its list files hold)."""
        now = self.clock()
        items = member_items(self.store, self.indicators, who, org_id, now, self.indicator_stamp)
        return indicator_objects(items, BuildContext(org_id, "taxii", 0, now))

    def subscribers(self, who: Principal) -> frozenset[str]:
        """The organisations with a subscription (the centre's admins only)."""
        if not who.is_centre_admin:
            raise PermissionDeniedError("only the centre's admins list every subscriber")
        with self.store.reading() as tx:
            return frozenset(sub.org_id for sub in tx.measures.subscriptions())

    def public_key(self, who: Principal) -> bytes:
        """The centre's public key (PEM) that verifies every manifest."""
        authorise(who, Action.MEASURES_READ, who.org_id)
        return public_key_pem(self.signer)
