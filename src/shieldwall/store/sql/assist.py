"""SQL repository for requests for assistance, offers and their timelines.

Every write runs in the caller's transaction; who may see or change a request is decided
above (``respond/assist``), through the sharing gate.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from shieldwall.model.assistance import (
    AssistRequest,
    Need,
    NewRequest,
    Offer,
    OfferStatus,
    RequestEvent,
    RequestStatus,
    Urgency,
)
from shieldwall.model.sharing import TlpLevel
from shieldwall.store.sql.audience_json import audience_fields, audience_json
from shieldwall.store.sql.tables import assist_history, assist_offers, assist_requests

MOMENTS = frozenset({"first_offer_at", "accepted_at"})
"""The times a request keeps once each, the first time they happen."""


def _request(row: Any) -> AssistRequest:
    return AssistRequest(
        id=row.id,
        org_id=row.org_id,
        requester=row.requester,
        title=row.title,
        description=row.description,
        needs=tuple(Need(need) for need in row.needs),
        urgency=Urgency(row.urgency),
        tlp=TlpLevel(row.tlp),
        status=RequestStatus(row.status),
        created_at=row.created_at,
        first_offer_at=row.first_offer_at,
        accepted_at=row.accepted_at,
        closed_at=row.closed_at,
        close_reason=row.close_reason,
        **audience_fields(row.audience),
    )


def _offer(row: Any) -> Offer:
    return Offer(
        id=row.id,
        request_id=row.request_id,
        org_id=row.org_id,
        person_id=row.person_id,
        need=Need(row.need),
        text=row.text,
        status=OfferStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _event(row: Any) -> RequestEvent:
    return RequestEvent(
        row.id, row.request_id, row.at, row.actor, row.org_id, row.action, row.detail
    )


def _inserted(key: Any) -> int:
    """The new row's id (both databases return it)."""
    return int(key[0])


class SqlAssistance:
    """Requests for assistance in one transaction."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now

    def add(self, new: NewRequest, step_key: str | None = None) -> AssistRequest:
        """Store a new open request; ``step_key`` (a playbook step's idempotency key) is
        unique in the database, so a repeated step cannot open a second one."""
        statement = insert(assist_requests).values(
            step_key=step_key,
            org_id=new.org_id,
            requester=new.requester,
            title=new.title,
            description=new.description,
            needs=[need.value for need in new.needs],
            urgency=new.urgency.value,
            tlp=int(new.tlp),
            audience=audience_json(new),
            status=RequestStatus.OPEN.value,
            created_at=self._now,
            close_reason="",
        )
        key = _inserted(self._db.execute(statement).inserted_primary_key)
        stored = self.get(key)
        assert stored is not None  # just inserted in this transaction
        return stored

    def by_step_key(self, step_key: str) -> AssistRequest | None:
        """The request a playbook step opened, or None."""
        row = self._db.execute(
            select(assist_requests).where(assist_requests.c.step_key == step_key)
        ).first()
        return None if row is None else _request(row)

    def get(self, request_id: int) -> AssistRequest | None:
        """One request, or None."""
        row = self._db.execute(
            select(assist_requests).where(assist_requests.c.id == request_id)
        ).first()
        return None if row is None else _request(row)

    def page(
        self, status: RequestStatus | None, *, after: int, limit: int
    ) -> Sequence[AssistRequest]:
        """Requests after id ``after``, oldest first (the gate filters above)."""
        table = assist_requests
        query = select(table).where(table.c.id > after).order_by(table.c.id).limit(limit)
        if status is not None:
            query = query.where(table.c.status == status.value)
        return [_request(row) for row in self._db.execute(query)]

    def set_status(self, request_id: int, status: RequestStatus, reason: str) -> None:
        """Move the request on; closing keeps the reason and the time."""
        values: dict[str, Any] = {"status": status.value}
        if status is RequestStatus.CLOSED:
            values.update(closed_at=self._now, close_reason=reason)
        self._db.execute(
            update(assist_requests).where(assist_requests.c.id == request_id).values(**values)
        )

    def mark(self, request_id: int, moment: str) -> None:
        """Keep the time of a first offer or acceptance, once."""
        if moment not in MOMENTS:
            raise ValueError(f"unknown moment {moment}")
        column = assist_requests.c[moment]
        self._db.execute(
            update(assist_requests)
            .where(assist_requests.c.id == request_id, column.is_(None))
            .values({moment: self._now})
        )

    def add_offer(
        self, request_id: int, org_id: str, person_id: str, need: Need, text: str
    ) -> Offer:
        """Store an offer towards a request."""
        statement = insert(assist_offers).values(
            request_id=request_id,
            org_id=org_id,
            person_id=person_id,
            need=need.value,
            text=text,
            status=OfferStatus.OFFERED.value,
            created_at=self._now,
            updated_at=self._now,
        )
        key = _inserted(self._db.execute(statement).inserted_primary_key)
        stored = self.offer(key)
        assert stored is not None  # just inserted in this transaction
        return stored

    def offer(self, offer_id: int) -> Offer | None:
        """One offer, or None."""
        row = self._db.execute(select(assist_offers).where(assist_offers.c.id == offer_id)).first()
        return None if row is None else _offer(row)

    def offers(self, request_id: int) -> Sequence[Offer]:
        """The offers towards a request, oldest first."""
        table = assist_offers
        query = select(table).where(table.c.request_id == request_id).order_by(table.c.id)
        return [_offer(row) for row in self._db.execute(query)]

    def set_offer_status(self, offer_id: int, status: OfferStatus) -> None:
        """Accept, decline or report progress on an offer."""
        self._db.execute(
            update(assist_offers)
            .where(assist_offers.c.id == offer_id)
            .values(status=status.value, updated_at=self._now)
        )

    def record(
        self, request_id: int, actor: str, org_id: str, action: str, detail: dict[str, object]
    ) -> None:
        """Add a line to the request's timeline."""
        self._db.execute(
            insert(assist_history).values(
                request_id=request_id,
                at=self._now,
                actor=actor,
                org_id=org_id,
                action=action,
                detail=detail,
            )
        )

    def history(self, request_id: int) -> Sequence[RequestEvent]:
        """The request's timeline, oldest first."""
        table = assist_history
        query = select(table).where(table.c.request_id == request_id).order_by(table.c.id)
        return [_event(row) for row in self._db.execute(query)]
