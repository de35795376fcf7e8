"""Posture as people see it, and its recomputation: levels and history through the gate.

:meth:`PostureDesk.recompute` reads the signals (open incidents, campaigns) and every
member's sectors in one write transaction, computes every level with the fuse stage's
formula and records a change only for a scope whose level moved, so running it twice
changes nothing. The fuse worker runs it after fusing and on a timer (decay lowers levels
with time); the centre runs it on demand. Reads show each principal only the scopes the
gate lets it see; a hidden scope is answered exactly like an absent one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from shieldwall.fuse.posture import PostureRules, all_levels
from shieldwall.model.errors import InputError, NotFoundError
from shieldwall.model.identity import OrgKind, Principal
from shieldwall.model.posture import Level, PostureEntry, ScopeKind
from shieldwall.policy.posture import MIN_GROUP, posture_scope, require_recompute, shows_score
from shieldwall.store.protocols import Store, UnitOfWork

MAX_PAGE = 1000


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class PostureDesk:
    """Posture levels and their history, each read in one transaction with its scope."""

    store: Store
    rules: PostureRules = field(default_factory=PostureRules)
    min_group: int = MIN_GROUP
    clock: Callable[[], datetime] = _utc_now

    def recompute(self) -> list[PostureEntry]:
        """Recompute every level now; the changes recorded (none when nothing moved)."""
        with self.store.transaction() as tx:
            tx.posture.lock()
            return _record_changes(tx, self._levels(tx))

    def recompute_for(self, who: Principal) -> list[PostureEntry]:
        """Recompute on a person's demand (the centre's analysts only)."""
        require_recompute(who)
        return self.recompute()

    def levels(self, who: Principal) -> list[PostureEntry]:
        """The current levels the caller may see, members first, then sectors, coalition."""
        with self.store.reading() as tx:
            allowed = posture_scope(who, tx.organisations.list(), self.min_group)
            current = tx.posture.current()
        return [_shown(who, e) for e in current if allowed is None or (e.kind, e.key) in allowed]

    def level(self, who: Principal, kind: ScopeKind, key: str) -> PostureEntry:
        """One scope's current level; NotFoundError when hidden or never computed."""
        for entry in self.levels(who):
            if (entry.kind, entry.key) == (kind, key):
                return entry
        raise NotFoundError(f"no posture for {kind.value} {key}")

    def history(
        self,
        who: Principal,
        *,
        kind: ScopeKind | None = None,
        key: str | None = None,
        after: int = 0,
        limit: int = 100,
    ) -> Sequence[PostureEntry]:
        """Level changes of the scopes the caller may see, oldest first after id ``after``."""
        if key is not None and kind is None:
            raise InputError("a key needs its kind", place="key")
        with self.store.reading() as tx:
            allowed = posture_scope(who, tx.organisations.list(), self.min_group)
            scopes = None if allowed is None else set(allowed)
            if kind is not None:
                source = _every_scope(tx) if scopes is None else scopes
                wanted = {(k, v) for k, v in source if k is kind}
                scopes = {(k, v) for k, v in wanted if key is None or v == key}
            size = max(1, min(limit, MAX_PAGE))
            found = tx.posture.history(scopes, after=after, limit=size)
        return [_shown(who, entry) for entry in found]

    def _levels(self, tx: UnitOfWork) -> list[Level]:
        members = [org for org in tx.organisations.list() if org.kind is not OrgKind.CENTRE]
        sectors = {org.id: list(org.sectors) for org in members}
        incidents = tx.posture.incident_signals()
        campaigns = tx.posture.campaign_signals()
        return all_levels(self.rules, sectors, incidents, campaigns, self.clock())


def _shown(who: Principal, entry: PostureEntry) -> PostureEntry:
    """The entry as the viewer may see it: without its score where the gate says so."""
    return entry if shows_score(who, (entry.kind, entry.key)) else replace(entry, score=None)


def _every_scope(tx: UnitOfWork) -> set[tuple[ScopeKind, str]]:
    """Every scope with a level (the centre's filter by kind)."""
    return {(entry.kind, entry.key) for entry in tx.posture.current()}


def _record_changes(tx: UnitOfWork, levels: list[Level]) -> list[PostureEntry]:
    current = {(entry.kind, entry.key): entry for entry in tx.posture.current()}
    changed: list[PostureEntry] = []
    computed = {(level.kind, level.key) for level in levels}
    for (kind, key), entry in sorted(current.items()):
        if (kind, key) not in computed and entry.level != 1:  # a sector left empty
            levels.append(Level(kind=kind, key=key, level=1, score=0.0))
    for level in levels:
        before = current.get((level.kind, level.key))
        if before is None or before.level != level.level:
            changed.append(tx.posture.change(level, before))
    return changed


def posture_json(entry: PostureEntry) -> dict[str, Any]:
    """A level (current, or one change of it) as the API shows it."""
    return {
        "id": entry.id,
        "scope": entry.kind.value,
        "key": entry.key,
        "level": entry.level,
        "name": entry.name,
        "previous": entry.previous,
        "score": entry.score,
        "at": entry.at.isoformat(),
    }
