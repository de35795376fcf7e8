"""SQL repository for managed detection rules: versions appended, never overwritten.

A change is a new row numbered ``latest + 1`` for its owner and rule; the unique key
``(owner, rule_id, version)`` makes two writers racing on one rule end in one version and
a :class:`~shieldwall.model.errors.ConflictError` for the other (nothing half-written).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select

from shieldwall.model.rules import NewRuleVersion, RuleChange, RuleVersion
from shieldwall.store.sql.tables import detection_rules

_T = detection_rules


def _version(row: Any) -> RuleVersion:
    return RuleVersion(
        seq=row.seq,
        owner=row.owner,
        rule_id=row.rule_id,
        version=row.version,
        title=row.title,
        text=row.text,
        enabled=bool(row.enabled),
        change=RuleChange(row.change),
        author=row.author,
        created_at=row.created_at,
    )


class SqlRules:
    """Rule versions in one transaction."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now

    def add(self, new: NewRuleVersion) -> RuleVersion:
        """Store the next version of the rule (1 when it is new)."""
        latest = self.latest(new.owner, new.rule_id)
        number = latest.version + 1 if latest else 1
        values = {
            "owner": new.owner,
            "rule_id": new.rule_id,
            "version": number,
            "title": new.title,
            "text": new.text,
            "enabled": new.enabled,
            "change": new.change.value,
            "author": new.author,
            "created_at": self._now,
        }
        seq = self._db.execute(_T.insert().values(**values).returning(_T.c.seq)).scalar_one()
        return RuleVersion(seq=seq, version=number, created_at=self._now, **_fields(new))

    def latest(self, owner: str, rule_id: str) -> RuleVersion | None:
        """The rule's newest version, or None."""
        row = self._db.execute(
            select(_T)
            .where(_T.c.owner == owner, _T.c.rule_id == rule_id)
            .order_by(_T.c.version.desc())
            .limit(1)
        ).first()
        return _version(row) if row else None

    def current(self, owners: Collection[str] | None) -> Sequence[RuleVersion]:
        """The newest version of every rule of ``owners`` (None: every owner), by owner and id."""
        newest = select(_T.c.owner, _T.c.rule_id, func.max(_T.c.version).label("version"))
        if owners is not None:
            newest = newest.where(_T.c.owner.in_(list(owners)))
        last = newest.group_by(_T.c.owner, _T.c.rule_id).subquery()
        rows = self._db.execute(
            select(_T)
            .join(
                last,
                and_(
                    _T.c.owner == last.c.owner,
                    _T.c.rule_id == last.c.rule_id,
                    _T.c.version == last.c.version,
                ),
            )
            .order_by(_T.c.owner, _T.c.rule_id)
        )
        return [_version(row) for row in rows]

    def history(self, owner: str, rule_id: str) -> Sequence[RuleVersion]:
        """Every version of the rule, oldest first."""
        rows = self._db.execute(
            select(_T).where(_T.c.owner == owner, _T.c.rule_id == rule_id).order_by(_T.c.version)
        )
        return [_version(row) for row in rows]

    def set_version(self) -> int:
        """The rule sets' version: the newest change's number (0 before any)."""
        return int(self._db.execute(select(func.coalesce(func.max(_T.c.seq), 0))).scalar_one())


def _fields(new: NewRuleVersion) -> dict[str, Any]:
    return {
        "owner": new.owner,
        "rule_id": new.rule_id,
        "title": new.title,
        "text": new.text,
        "enabled": new.enabled,
        "change": new.change,
        "author": new.author,
    }
