"""Working on a case: tasks, observables, comments and evidence, each with its own TLP.

Any party to the case whose role may work on cases adds items; each item is its author's
organisation's, so a member the case is shared with works on it in its own view: its
items carry its TLP, and the gate decides who else receives them. Changing a task is for
whoever sees it and works on cases. Every addition and change is recorded in the case's
timeline (tied to the item, so it is seen exactly by whoever sees the item) and the audit
log, in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from shieldwall.model.audit import AuditRecord
from shieldwall.model.case import CaseItem, ItemKind, TaskStatus
from shieldwall.model.errors import InputError
from shieldwall.model.identity import Principal
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.cases import may_be_assigned, require
from shieldwall.policy.roles import Action
from shieldwall.respond.cases.desk import utc_now
from shieldwall.respond.cases.evidence import EvidenceLimits, check_evidence, verified
from shieldwall.respond.cases.flow import check_task_change
from shieldwall.respond.cases.record import record
from shieldwall.respond.cases.sight import CaseSight
from shieldwall.respond.cases.values import observable, text, tlp_label
from shieldwall.store.protocols import Store, UnitOfWork


@dataclass(frozen=True, slots=True)
class ItemDesk:
    """Adding and changing the items of cases."""

    store: Store
    limits: EvidenceLimits = field(default_factory=EvidenceLimits)
    clock: Callable[[], datetime] = utc_now

    def add_task(
        self,
        who: Principal,
        case_id: int,
        title: str,
        tlp: TlpLevel,
        *,
        owner: str | None = None,
        due_at: datetime | None = None,
    ) -> CaseItem:
        """A task for a person of a party (or nobody yet), due when given."""
        body = text(title, "title", 500)
        if due_at is not None and due_at.tzinfo is None:
            raise InputError("a due time needs a time zone", place="due_at")
        extra = {"owner": owner, "due_at": due_at, "status": TaskStatus.OPEN}
        return self._add(who, case_id, ItemKind.TASK, body, tlp, extra, owner=owner)

    def add_observable(
        self, who: Principal, case_id: int, kind: str, value: str, tlp: TlpLevel
    ) -> CaseItem:
        """An observable (IP, domain, URL, e-mail, hash, file name), checked for its type."""
        body = observable(kind, value)
        return self._add(who, case_id, ItemKind.OBSERVABLE, body, tlp, {"observable_type": kind})

    def add_comment(self, who: Principal, case_id: int, body: str, tlp: TlpLevel) -> CaseItem:
        """A comment."""
        return self._add(who, case_id, ItemKind.COMMENT, text(body, "text"), tlp, {})

    def add_evidence(
        self,
        who: Principal,
        case_id: int,
        name: str,
        content: bytes,
        tlp: TlpLevel,
        media_type: str = "application/octet-stream",
    ) -> CaseItem:
        """An evidence file: kept once by its SHA-256, with who added it and when.

        Over ``case_evidence_max_bytes`` it is refused (413 through the API) before
        anything is written."""
        checked = check_evidence(name, content, media_type, self.limits)
        extra = {"sha256": checked.sha256, "size": len(content), "media_type": checked.media_type}
        return self._add(who, case_id, ItemKind.EVIDENCE, checked.name, tlp, extra, blob=content)

    def evidence(self, who: Principal, case_id: int, item_id: str) -> tuple[CaseItem, bytes]:
        """An evidence file's item and bytes, checked against its SHA-256; the read is
        audited (evidence is restricted data), in the same transaction."""
        with self.store.transaction() as tx:
            item = CaseSight.of(tx, who, case_id).item(item_id)
            if item.kind is not ItemKind.EVIDENCE or item.sha256 is None:
                raise InputError("this item is not an evidence file", place="item")
            content = verified(item.sha256, tx.cases.blob(item.sha256))
            target = f"{case_id}/{item_id}"
            tx.audit.append(
                AuditRecord(who.person_id, who.org_id, "case.evidence.read", "case", target)
            )
        return item, content

    def set_task(self, who: Principal, case_id: int, item_id: str, status: TaskStatus) -> CaseItem:
        """Mark a task done or cancelled, or reopen it."""
        with self.store.transaction() as tx:
            sight = CaseSight.of(tx, who, case_id)
            item = sight.item(item_id)
            require(who, Action.CASE_WORK)
            if item.kind is not ItemKind.TASK or item.status is None:
                raise InputError("this item is not a task", place="item")
            check_task_change(item.status, status)
            tx.cases.set_task_status(item_id, status)
            detail = {"from": item.status.value, "to": status.value}
            record(tx, who, case_id, "task", detail, item_id=item_id)
            changed = tx.cases.item(item_id)
        assert changed is not None
        return changed

    def _add(
        self,
        who: Principal,
        case_id: int,
        kind: ItemKind,
        body: str,
        tlp: TlpLevel,
        extra: Mapping[str, object],
        *,
        owner: str | None = None,
        blob: bytes | None = None,
    ) -> CaseItem:
        with self.store.transaction() as tx:
            sight = CaseSight.of(tx, who, case_id)
            require(who, Action.CASE_WORK)
            if owner is not None:
                _check_owner(tx, sight, owner)
            now = self.clock()
            item = CaseItem(
                id=str(uuid.uuid4()),
                case_id=case_id,
                kind=kind,
                org_id=who.org_id,
                author=who.person_id,
                tlp=tlp,
                body=body,
                created_at=now,
                updated_at=now,
            )
            item = replace(item, **extra)  # type: ignore[arg-type]
            if blob is not None and item.sha256 is not None:
                tx.cases.put_blob(item.sha256, blob)
            tx.cases.add_item(item)
            detail = {"kind": kind.value, "tlp": tlp_label(tlp)}
            record(tx, who, case_id, "add", detail, item_id=item.id)
        return item


def _check_owner(tx: UnitOfWork, sight: CaseSight, person_id: str) -> None:
    """The same answer for a person absent and one who may not own the task (no oracle)."""
    person = tx.people.get(person_id)
    org = tx.organisations.get(person.org_id) if person else None
    if (
        person is None
        or org is None
        or not may_be_assigned(person, sight.case, sight.shares, org.kind)
    ):
        raise InputError("not a person of a party to the case who can take it", place="owner")
