"""Managed detection rules as people see and change them: through the gate, versioned.

Every change is a new version in one transaction with its audit entry; nothing is
overwritten, so a rule's history is its versions. A text is checked as it would run
(:mod:`.rule_texts`) before anything is written, and refused whole with every load error.
A member's rules are its own: another member asking for them is told "not found",
exactly as for a rule that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shieldwall.detect.sigma.loader import load_rule_texts
from shieldwall.live.rule_test import RuleTestReport, run_rule_test
from shieldwall.live.rule_texts import MAX_RULES_PER_SET, check, identify, source_of, texts_of
from shieldwall.model.audit import AuditRecord
from shieldwall.model.errors import InputError, LimitExceededError, NotFoundError, RuleError
from shieldwall.model.event import RecordFormat
from shieldwall.model.identity import Principal
from shieldwall.model.rules import CENTRE_SET, NewRuleVersion, RuleChange, RuleVersion
from shieldwall.policy.rules import (
    may_see_rules_of,
    own_rule_set,
    require_manage_rules,
    rule_scope,
)
from shieldwall.store.protocols import Store, UnitOfWork


def owner_of(who: Principal, rule_set: str | None) -> str:
    """The owner a request names: ``centre``, a member's id, or (None) the caller's own."""
    if rule_set is None or rule_set == "":
        return own_rule_set(who)
    return CENTRE_SET if rule_set == "centre" else rule_set


@dataclass(frozen=True, slots=True)
class RuleDesk:
    """Reads and changes of the managed rule sets, each in one transaction."""

    store: Store

    def add(self, who: Principal, text: str, *, rule_set: str | None = None) -> RuleVersion:
        """Add a rule, or a new version of it (same id); the same text again changes nothing."""
        owner = owner_of(who, rule_set)
        require_manage_rules(who, owner)
        rule_id, title = identify(text)
        with self.store.reading() as tx:
            context = [v for v in tx.rules.current({owner, CENTRE_SET}) if v.rule_id != rule_id]
            latest = tx.rules.latest(owner, rule_id)
        if latest is not None and latest.text == text:
            return latest
        if latest is None and sum(v.owner == owner for v in context) >= MAX_RULES_PER_SET:
            raise LimitExceededError(
                f"a rule set holds at most {MAX_RULES_PER_SET} rules", limit="max_rules_per_set"
            )
        check(text, owner, rule_id, context)
        change = RuleChange.ADDED if latest is None else RuleChange.UPDATED
        enabled = latest.enabled if latest is not None else True
        new = NewRuleVersion(
            owner=owner,
            rule_id=rule_id,
            title=title,
            text=text,
            enabled=enabled,
            change=change,
            author=who.person_id,
        )
        with self.store.transaction() as tx:
            return _write(tx, who, new)

    def set_enabled(
        self, who: Principal, rule_id: str, enabled: bool, *, rule_set: str | None = None
    ) -> RuleVersion:
        """Enable or disable a rule (a new version); already so: nothing changes."""
        owner = owner_of(who, rule_set)
        require_manage_rules(who, owner)
        with self.store.transaction() as tx:
            latest = tx.rules.latest(owner, rule_id)
            if latest is None:
                raise NotFoundError("not found")
            if latest.enabled == enabled:
                return latest
            change = RuleChange.ENABLED if enabled else RuleChange.DISABLED
            new = NewRuleVersion(
                owner=owner,
                rule_id=rule_id,
                title=latest.title,
                text=latest.text,
                enabled=enabled,
                change=change,
                author=who.person_id,
            )
            return _write(tx, who, new)

    def current(self, who: Principal, *, rule_set: str | None = None) -> Sequence[RuleVersion]:
        """The newest version of every rule the caller may see (of one set, if named)."""
        scope = rule_scope(who)
        owners = scope if rule_set is None else {owner_of(who, rule_set)}
        if scope is not None and owners is not None and not set(owners) <= scope:
            return []  # another member's set holds nothing for this caller
        with self.store.reading() as tx:
            return tx.rules.current(owners)

    def history(
        self, who: Principal, rule_id: str, *, rule_set: str | None = None
    ) -> Sequence[RuleVersion]:
        """Every version of one rule, oldest first; NotFoundError when absent or hidden."""
        owner = owner_of(who, rule_set)
        if not may_see_rules_of(who, owner):
            raise NotFoundError("not found")
        with self.store.reading() as tx:
            versions = tx.rules.history(owner, rule_id)
        if not versions:
            raise NotFoundError("not found")
        return versions

    def problems(self, who: Principal) -> list[RuleError]:
        """Load errors of the enabled rules of the sets the caller may see, as they run."""
        visible = self.current(who)
        owners = sorted({version.owner for version in visible})
        found: list[RuleError] = []
        for owner in owners:
            mine = [v for v in visible if v.owner == owner]
            found.extend(load_rule_texts(texts_of(mine)).problems)
        return found

    def test(
        self,
        who: Principal,
        events: bytes,
        *,
        text: str | None = None,
        rule_id: str | None = None,
        rule_set: str | None = None,
        forced: RecordFormat | None = None,
    ) -> RuleTestReport:
        """Run a text, or the newest version of a rule the caller may see, over ``events``."""
        rule_scope(who)  # a role that reads no rule tests none
        if text is None:
            if rule_id is None:
                raise InputError("give a rule text or a rule id", place="rule")
            text = self.history(who, rule_id, rule_set=rule_set)[-1].text
        return run_rule_test(text, events, forced=forced)


def _write(tx: UnitOfWork, who: Principal, new: NewRuleVersion) -> RuleVersion:
    stored = tx.rules.add(new)
    tx.audit.append(
        AuditRecord(
            who.person_id,
            who.org_id,
            f"rule.{new.change.value}",
            "rule",
            f"{source_of(new.owner, new.rule_id)}@{stored.version}",
        )
    )
    return stored


def rule_json(version: RuleVersion, *, with_text: bool = False) -> dict[str, Any]:
    """One rule version as the API and the CLI show it."""
    body: dict[str, Any] = {
        "set": version.scope,
        "id": version.rule_id,
        "version": version.version,
        "title": version.title,
        "enabled": version.enabled,
        "change": version.change.value,
        "author": version.author,
        "at": version.created_at.isoformat(),
        "rule_set_version": version.seq,
    }
    if with_text:
        body["text"] = version.text
    return body
