"""Administering members, people and tokens; every change is audited in its transaction.

The API and the CLI both call these functions, so an organisation created from either is
checked, authorised and audited the same way. Each function takes the acting principal
(the CLI acts as the local operator, a centre admin) and a store.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from shieldwall.access.credentials import (
    hash_password,
    new_token,
    password_matches,
    token_hash,
)
from shieldwall.model.audit import AuditRecord, Outcome
from shieldwall.model.credentials import ApiToken, IssuedToken
from shieldwall.model.emails import MAX_KEY_LENGTH, email_key
from shieldwall.model.errors import (
    AuthenticationError,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)
from shieldwall.model.identity import (
    SLUG_PATTERN,
    Organisation,
    OrgKind,
    OrgStatus,
    Person,
    Principal,
    Role,
)
from shieldwall.policy.roles import Action, assignable_roles, authorise, may
from shieldwall.store.protocols import Store, UnitOfWork

COUNTRY_PATTERN = re.compile(r"^[A-Z]{2}$")
OPERATOR = Principal(person_id="operator", org_id="-", role=Role.ADMIN, org_kind=OrgKind.CENTRE)
"""The local operator at the command line: root on the machine is admin of the centre."""

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def _record(
    principal: Principal, action: str, kind: str, object_id: str, detail: str = ""
) -> AuditRecord:
    return AuditRecord(
        principal=principal.person_id,
        org_id=principal.org_id,
        action=action,
        object_type=kind,
        object_id=object_id,
        detail=detail,
    )


def add_organisation(store: Store, principal: Principal, org: Organisation) -> Organisation:
    """Register a member; only the centre may."""
    if not SLUG_PATTERN.match(org.id):
        raise InputError("must be lower-case letters, digits and inner hyphens", place="id")
    if not COUNTRY_PATTERN.match(org.country):
        raise InputError("must be an ISO 3166 alpha-2 code such as FR", place="country")
    authorise(principal, Action.ORG_CREATE, None)
    with store.transaction() as tx:
        if org.parent_id is not None and tx.organisations.get(org.parent_id) is None:
            raise InputError(f"no organisation {org.parent_id}", place="parent_id")
        if tx.organisations.get(org.id) is not None:
            raise ConflictError(f"organisation {org.id} already exists")
        tx.organisations.add(org)
        tx.audit.append(_record(principal, "org.create", "organisation", org.id))
    return org


def set_org_status(store: Store, principal: Principal, org_id: str, status: OrgStatus) -> None:
    """Suspend or reactivate a member; takes effect on its next request."""
    authorise(principal, Action.ORG_SUSPEND, org_id)
    with store.transaction() as tx:
        tx.organisations.set_status(org_id, status)
        tx.audit.append(_record(principal, f"org.{status.value}", "organisation", org_id))


def list_organisations(store: Store, principal: Principal) -> Sequence[Organisation]:
    """The organisations the principal may see."""
    authorise(principal, Action.ORG_READ, principal.org_id)
    with store.transaction() as tx:
        return [
            org
            for org in tx.organisations.list()
            if principal.is_centre_admin or org.id == principal.org_id
        ]


def get_organisation(store: Store, principal: Principal, org_id: str) -> Organisation:
    """One organisation, if the principal may see it."""
    authorise(principal, Action.ORG_READ, org_id)
    with store.transaction() as tx:
        org = tx.organisations.get(org_id)
    if org is None:
        raise NotFoundError("not found")
    return org


def add_person(
    store: Store, principal: Principal, person: Person, password: str | None = None
) -> Person:
    """Add a person (or sensor) to an organisation, hashing the password with argon2."""
    authorise(principal, Action.PERSON_CREATE, person.org_id)
    if person.role not in assignable_roles(principal):
        raise PermissionDeniedError(f"you may not give the {person.role} role")
    if person.role is Role.ADMIN and not _is_centre(store, person.org_id):
        raise InputError("the admin role exists only in the centre organisation", place="role")
    key = email_key(person.email)
    if "@" not in key or len(key) > MAX_KEY_LENGTH:
        raise InputError(
            f"must be an address of at most {MAX_KEY_LENGTH} characters once normalised",
            place="email",
        )
    if password and not may(person.role, Action.PASSWORD_LOGIN):
        raise InputError(
            f"a {person.role} has no password: it authenticates with API tokens only",
            place="password",
        )
    stored = replace(person, id=person.id or str(uuid.uuid4()), created_at=_now())
    secret = hash_password(password) if password else None
    with store.transaction() as tx:
        if tx.organisations.get(person.org_id) is None:
            raise NotFoundError("not found")
        if tx.people.get_by_email(person.email) is not None:  # however it is spelt
            raise ConflictError("a person with that e-mail already exists")
        tx.people.add(stored, secret)
        tx.audit.append(_record(principal, "person.create", "person", stored.id, stored.role))
    return stored


def _is_centre(store: Store, org_id: str) -> bool:
    with store.transaction() as tx:
        org = tx.organisations.get(org_id)
    return org is not None and org.kind is OrgKind.CENTRE


def list_people(store: Store, principal: Principal, org_id: str | None) -> Sequence[Person]:
    """People of one organisation (or, for the centre, of all); an audited read."""
    scope = org_id or (None if principal.is_centre_admin else principal.org_id)
    authorise(principal, Action.PERSON_READ, scope or principal.org_id)
    with store.transaction() as tx:
        found = tx.people.list(scope)
        tx.audit.append(_record(principal, "person.list", "organisation", scope or "*"))
    return found


def _person_in_view(tx: UnitOfWork, principal: Principal, person_id: str) -> Person:
    person = tx.people.get(person_id)
    if person is None:
        raise NotFoundError("not found")
    authorise(principal, Action.PERSON_READ, person.org_id)
    return person


def get_person(store: Store, principal: Principal, person_id: str) -> Person:
    """One person, if in an organisation the principal may see."""
    with store.transaction() as tx:
        return _person_in_view(tx, principal, person_id)


def create_token(
    store: Store,
    principal: Principal,
    person_id: str,
    name: str,
    ttl: timedelta,
    clock: Clock = _now,
) -> IssuedToken:
    """Issue a token for a person; the secret is returned once and never stored."""
    token_id, secret = new_token()
    now = clock()
    token = ApiToken(
        id=token_id, person_id=person_id, name=name, created_at=now, expires_at=now + ttl
    )
    with store.transaction() as tx:
        person = _person_in_view(tx, principal, person_id)
        authorise(
            principal,
            Action.TOKEN_CREATE,
            person.org_id,
            own_person=person_id == principal.person_id,
        )
        tx.tokens.add(token, token_hash(secret))
        tx.audit.append(_record(principal, "token.create", "token", token_id, person_id))
    return IssuedToken(token=token, secret=secret)


def _token_in_view(tx: UnitOfWork, principal: Principal, token_id: str, action: Action) -> ApiToken:
    token = tx.tokens.get(token_id)
    if token is None:
        raise NotFoundError("not found")
    person = _person_in_view(tx, principal, token.person_id)
    authorise(principal, action, person.org_id, own_person=person.id == principal.person_id)
    return token


def revoke_token(store: Store, principal: Principal, token_id: str, clock: Clock = _now) -> None:
    """Revoke a token; it is refused from the next request on."""
    with store.transaction() as tx:
        _token_in_view(tx, principal, token_id, Action.TOKEN_REVOKE)
        tx.tokens.revoke(token_id, clock())
        tx.audit.append(_record(principal, "token.revoke", "token", token_id))


def list_tokens(store: Store, principal: Principal) -> Sequence[ApiToken]:
    """Tokens the principal may manage: its own, its organisation's (lead), all (centre)."""
    with store.transaction() as tx:
        if principal.is_centre_admin:
            return tx.tokens.list()
        if principal.role is Role.SENSOR:
            raise PermissionDeniedError("a sensor may not manage tokens")
        try:
            authorise(principal, Action.TOKEN_READ, principal.org_id)
        except PermissionDeniedError:
            return tx.tokens.list([principal.person_id])
        people = [person.id for person in tx.people.list(principal.org_id)]
        return tx.tokens.list(people)


_DUMMY_HASH = hash_password("not-a-password-anyone-has")
"""Verified against when the e-mail is unknown, so timing does not reveal who exists."""
LOGIN_TTL = timedelta(hours=12)


def login(store: Store, email: str, password: str, clock: Clock = _now) -> IssuedToken:
    """Exchange e-mail and password for a short-lived token; every attempt is audited.

    A role without password login (a sensor, even one given a password by an older
    version) is refused exactly like a wrong password, after the same hashing work.
    """
    with store.transaction() as tx:
        person = tx.people.get_by_email(email)
        stored_hash = tx.people.password_hash(person.id) if person else None
    valid = password_matches(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    valid = valid and person is not None and may(person.role, Action.PASSWORD_LOGIN)
    org_active = False
    if person is not None and valid:
        with store.transaction() as tx:
            org = tx.organisations.get(person.org_id)
            org_active = org is not None and org.active
    if person is None or not valid or not person.active or not org_active:
        with store.transaction() as tx:
            tx.audit.append(
                AuditRecord(
                    "anonymous",
                    person.org_id if person else "-",
                    "session.login",
                    "person",
                    person.id if person else "-",
                    Outcome.DENIED,
                )
            )
        raise AuthenticationError("unknown e-mail or wrong password")
    token_id, secret = new_token()
    now = clock()
    token = ApiToken(token_id, person.id, "login", now, now + LOGIN_TTL)
    with store.transaction() as tx:
        tx.tokens.add(token, token_hash(secret))
        tx.audit.append(AuditRecord(person.id, person.org_id, "session.login", "token", token_id))
    return IssuedToken(token=token, secret=secret)
