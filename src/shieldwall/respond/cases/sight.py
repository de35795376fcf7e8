"""One case as one principal may see it: resolved once per request, inside its transaction.

The case itself exists for its parties and the centre (``policy.cases``); each item for
whoever the sharing gate lets receive it. Whatever is hidden answers exactly as absent:
the same :class:`NotFoundError` message for a case or an item that does not exist, that
belongs to another case, or that the caller may not see; lists leave hidden items out
and count nothing of them, and their timeline entries go with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from shieldwall.model.case import Case, CaseItem, CaseShare, TimelineEntry
from shieldwall.model.errors import NotFoundError
from shieldwall.model.identity import Principal
from shieldwall.policy.cases import (
    case_party,
    item_descriptor,
    may_manage,
    may_see_case,
    owners,
)
from shieldwall.policy.gate import Viewer
from shieldwall.respond.cases.directory import CaseDirectory
from shieldwall.respond.cases.sla import case_overdue
from shieldwall.store.protocols import UnitOfWork


@dataclass(frozen=True, slots=True)
class CaseView:
    """A case with what the caller may see of it."""

    case: Case
    items: Sequence[CaseItem]
    timeline: Sequence[TimelineEntry]
    shares: Sequence[CaseShare]
    """The members it is shared with: shown to its managers only, empty for the others."""
    overdue: bool
    manager: bool
    """Whether the caller may change its status and assignment and share it."""


def not_found(case_id: int) -> NotFoundError:
    """The one answer for a case that is absent or hidden."""
    return NotFoundError(f"case {case_id} not found")


def item_not_found(case_id: int, item_id: str) -> NotFoundError:
    """The one answer for an item that is absent, of another case, or hidden."""
    return NotFoundError(f"item {item_id} of case {case_id} not found")


class CaseSight:
    """The caller's view of one case, asked about each of its items."""

    def __init__(
        self, tx: UnitOfWork, who: Principal, case: Case, shares: Sequence[CaseShare]
    ) -> None:
        self.tx = tx
        self.who = who
        self.case = case
        self.shares = shares
        self._viewer = Viewer.for_principal(who, CaseDirectory(tx))

    @classmethod
    def of(cls, tx: UnitOfWork, who: Principal, case_id: int) -> CaseSight:
        """The case as the caller sees it; NotFoundError when absent or hidden."""
        case_party(who)  # a role that reads no case is refused before any read
        case = tx.cases.get(case_id)
        shares = tx.cases.shares(case_id)  # asked for an absent case too: the same work
        if case is None or not may_see_case(who, case, shares):
            raise not_found(case_id)
        return cls(tx, who, case, shares)

    @property
    def manager(self) -> bool:
        """Whether the caller is one of the case's managers (owners or the centre)."""
        return may_manage(self.who, self.case)

    def sees(self, item: CaseItem) -> bool:
        """Whether the gate lets the caller receive this item."""
        descriptor = item_descriptor(self.case, self.shares, item.id, item.org_id, item.tlp)
        return self._viewer.may_receive(descriptor)

    def item(self, item_id: str) -> CaseItem:
        """One item of this case the caller may see; NotFoundError otherwise."""
        item = self.tx.cases.item(item_id)
        if item is None or item.case_id != self.case.id or not self.sees(item):
            raise item_not_found(self.case.id, item_id)
        return item

    def visible_items(self) -> list[CaseItem]:
        """The case's items the caller may see, oldest first."""
        return [item for item in self.tx.cases.items(self.case.id) if self.sees(item)]

    def view(self, now: datetime) -> CaseView:
        """Everything the caller may see of the case."""
        items = self.visible_items()
        shown = {item.id for item in items}
        timeline = [
            entry for entry in self.tx.cases.timeline(self.case.id) if self._shows(entry, shown)
        ]
        manager = self.manager
        return CaseView(
            case=self.case,
            items=items,
            timeline=timeline,
            shares=self.shares if manager else (),
            overdue=case_overdue(self.case, now),
            manager=manager,
        )

    def _shows(self, entry: TimelineEntry, shown: set[str]) -> bool:
        if entry.item_id is not None:
            return entry.item_id in shown
        if entry.owners_only:
            return self.manager or self.who.org_id in owners(self.case)
        return True
