"""SQL repositories for organisations, people and API tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from shieldwall.model.credentials import ApiToken
from shieldwall.model.emails import MAX_KEY_LENGTH, email_key
from shieldwall.model.errors import NotFoundError
from shieldwall.model.identity import Organisation, OrgKind, OrgStatus, Person, Role
from shieldwall.store.sql.tables import api_tokens, organisations, people


def _org(row: Any) -> Organisation:
    return Organisation(
        id=row.id,
        name=row.name,
        kind=OrgKind(row.kind),
        country=row.country,
        sectors=tuple(row.sectors),
        parent_id=row.parent_id,
        status=OrgStatus(row.status),
    )


class SqlOrganisations:
    """Organisations in one transaction."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now

    def add(self, org: Organisation) -> None:
        self._db.execute(
            organisations.insert().values(
                id=org.id,
                name=org.name,
                kind=org.kind.value,
                country=org.country,
                sectors=list(org.sectors),
                parent_id=org.parent_id,
                status=org.status.value,
                created_at=self._now,
            )
        )

    def get(self, org_id: str) -> Organisation | None:
        row = self._db.execute(select(organisations).where(organisations.c.id == org_id)).first()
        return _org(row) if row else None

    def list(self) -> Sequence[Organisation]:
        rows = self._db.execute(select(organisations).order_by(organisations.c.id))
        return [_org(row) for row in rows]

    def set_status(self, org_id: str, status: OrgStatus) -> None:
        result = self._db.execute(
            update(organisations).where(organisations.c.id == org_id).values(status=status.value)
        )
        if result.rowcount == 0:
            raise NotFoundError(f"organisation {org_id} not found")

    def clients_of(self, org_id: str) -> Sequence[str]:
        rows = self._db.execute(
            select(organisations.c.id).where(organisations.c.parent_id == org_id)
        )
        return sorted(row.id for row in rows)


def _person(row: Any) -> Person:
    return Person(
        id=row.id,
        org_id=row.org_id,
        name=row.name,
        email=row.email,
        role=Role(row.role),
        active=row.active,
        created_at=row.created_at,
    )


class SqlPeople:
    """People and sensors in one transaction."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now

    def add(self, person: Person, password_hash: str | None) -> None:
        self._db.execute(
            people.insert().values(
                id=person.id,
                org_id=person.org_id,
                name=person.name,
                email=person.email,
                email_key=email_key(person.email),
                role=person.role.value,
                password_hash=password_hash,
                active=person.active,
                created_at=person.created_at or self._now,
            )
        )

    def get(self, person_id: str) -> Person | None:
        row = self._db.execute(select(people).where(people.c.id == person_id)).first()
        return _person(row) if row else None

    def get_by_email(self, email: str) -> Person | None:
        """The person whose address is ``email`` however spelt (its :func:`email_key`)."""
        key = email_key(email)
        if len(key) > MAX_KEY_LENGTH:
            return None  # no key that long is ever stored
        row = self._db.execute(select(people).where(people.c.email_key == key)).first()
        return _person(row) if row else None

    def password_hash(self, person_id: str) -> str | None:
        row = self._db.execute(
            select(people.c.password_hash).where(people.c.id == person_id)
        ).first()
        return row.password_hash if row else None

    def list(self, org_id: str | None = None) -> Sequence[Person]:
        query = select(people).order_by(people.c.org_id, people.c.email)
        if org_id is not None:
            query = query.where(people.c.org_id == org_id)
        return [_person(row) for row in self._db.execute(query)]


def _token(row: Any) -> ApiToken:
    return ApiToken(
        id=row.id,
        person_id=row.person_id,
        name=row.name,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


class SqlTokens:
    """API tokens in one transaction; only secret hashes are stored."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, token: ApiToken, secret_hash: str) -> None:
        self._db.execute(
            api_tokens.insert().values(
                id=token.id,
                person_id=token.person_id,
                name=token.name,
                secret_hash=secret_hash,
                created_at=token.created_at,
                expires_at=token.expires_at,
                revoked_at=token.revoked_at,
                last_used_at=token.last_used_at,
            )
        )

    def get(self, token_id: str) -> ApiToken | None:
        row = self._db.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
        return _token(row) if row else None

    def secret_hash(self, token_id: str) -> str | None:
        row = self._db.execute(
            select(api_tokens.c.secret_hash).where(api_tokens.c.id == token_id)
        ).first()
        return row.secret_hash if row else None

    def list(self, person_ids: Sequence[str] | None = None) -> Sequence[ApiToken]:
        query = select(api_tokens).order_by(api_tokens.c.created_at, api_tokens.c.id)
        if person_ids is not None:
            query = query.where(api_tokens.c.person_id.in_(list(person_ids)))
        return [_token(row) for row in self._db.execute(query)]

    def revoke(self, token_id: str, at: datetime) -> None:
        result = self._db.execute(
            update(api_tokens)
            .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        if result.rowcount == 0 and self.get(token_id) is None:
            raise NotFoundError(f"token {token_id} not found")

    def touch(self, token_id: str, at: datetime) -> None:
        self._db.execute(
            update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=at)
        )
