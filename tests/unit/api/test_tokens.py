"""Token lifecycle: issued once, refused when expired, revoked or its organisation suspended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from httpx import Response

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.access.auth import authenticate
from shieldwall.access.credentials import TOKEN_BYTES, token_hash
from shieldwall.model.errors import AuthenticationError
from tests.unit.api.conftest import World


def _me(world: World, token: str) -> int:
    response = world.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    return response.status_code


def test_a_token_is_shown_once_and_stored_only_as_a_hash(world: World) -> None:
    response = world.client.post(
        "/api/v1/tokens", json={"name": "laptop"}, headers=world.auth("alpha-analyst")
    )
    assert response.status_code == 201
    secret = response.json()["secret"]
    assert secret.startswith("swt_")
    random_part = secret[len("swt_") + 16 + 1 :]  # swt_<16 hex id>_<urlsafe base64>
    assert len(random_part) * 6 >= TOKEN_BYTES * 8
    assert _me(world, secret) == 200
    with world.services.store.engine.connect() as db:
        stored = db.exec_driver_sql("SELECT secret_hash FROM api_tokens").scalars().all()
    assert token_hash(secret) in stored
    assert all(secret not in value for value in stored)
    listing = world.client.get("/api/v1/tokens", headers=world.auth("alpha-analyst")).text
    assert secret not in listing


def test_a_revoked_token_is_refused_on_the_next_request(world: World) -> None:
    token_id = world.token_ids["alpha-analyst"]
    response = world.client.delete(
        f"/api/v1/tokens/{token_id}", headers=world.auth("alpha-analyst")
    )
    assert response.status_code == 204
    assert _me(world, world.tokens["alpha-analyst"]) == 401


def test_an_expired_token_is_refused(world: World) -> None:
    person = world.people["alpha-liaison"]
    issued = accounts.create_token(
        world.services.store, OPERATOR, person, "short", timedelta(days=1)
    )
    later = datetime.now(UTC) + timedelta(days=1, seconds=1)
    with pytest.raises(AuthenticationError):
        authenticate(world.services.store, issued.secret, clock=lambda: later)
    earlier = datetime.now(UTC) + timedelta(hours=23)
    assert authenticate(world.services.store, issued.secret, clock=lambda: earlier).person_id == (
        person
    )


def test_suspending_an_organisation_cuts_its_tokens_at_once(world: World) -> None:
    assert _me(world, world.tokens["bravo-lead"]) == 200
    response = world.client.post(
        "/api/v1/organisations/bravo/suspend", headers=world.auth("centre-admin")
    )
    assert response.status_code == 200
    assert response.json()["status"] == "suspended"
    assert _me(world, world.tokens["bravo-lead"]) == 401
    assert _me(world, world.tokens["alpha-lead"]) == 200
    world.client.post("/api/v1/organisations/bravo/reactivate", headers=world.auth("centre-admin"))
    assert _me(world, world.tokens["bravo-lead"]) == 200


@pytest.mark.parametrize(
    "header",
    [
        "Bearer swt_0000000000000000_" + "A" * 43,
        "Bearer not-a-token",
        "Basic dXNlcjpwYXNz",
        "Bearer ",
    ],
)
def test_forged_or_malformed_credentials_are_refused_alike(world: World, header: str) -> None:
    response = world.client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_tampered_secret_with_a_valid_id_is_refused(world: World) -> None:
    real = world.tokens["alpha-lead"]
    flipped = real[:-1] + ("A" if real[-1] != "A" else "B")
    assert _me(world, flipped) == 401


def test_people_cannot_mint_tokens_for_others_or_escalate(world: World) -> None:
    response = world.client.post(
        "/api/v1/tokens",
        json={"name": "x", "person_id": world.people["alpha-lead"]},
        headers=world.auth("alpha-analyst"),
    )
    assert response.status_code == 403
    response = world.client.post(
        "/api/v1/organisations/alpha/people",
        json={"name": "Boss", "email": "boss@alpha.example", "role": "admin"},
        headers=world.auth("alpha-lead"),
    )
    assert response.status_code == 403


def test_login_with_a_password_gives_a_working_token(world: World) -> None:
    created = world.client.post(
        "/api/v1/organisations/alpha/people",
        json={
            "name": "Pat",
            "email": "pat@alpha.example",
            "role": "analyst",
            "password": "correct horse battery",
        },
        headers=world.auth("alpha-lead"),
    )
    assert created.status_code == 201
    wrong = world.client.post(
        "/api/v1/login", json={"email": "pat@alpha.example", "password": "wrong password!"}
    )
    unknown = world.client.post(
        "/api/v1/login", json={"email": "nobody@alpha.example", "password": "whatever it is"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    good = world.client.post(
        "/api/v1/login", json={"email": "pat@alpha.example", "password": "correct horse battery"}
    )
    assert good.status_code == 201
    assert _me(world, good.json()["secret"]) == 200
    with world.services.store.engine.connect() as db:
        stored = db.exec_driver_sql(
            "SELECT password_hash FROM people WHERE email = 'pat@alpha.example'"
        ).scalar()
    assert stored.startswith("$argon2id$")
    audit = world.client.get("/api/v1/audit?limit=1000", headers=world.auth("centre-admin"))
    outcomes = [e["outcome"] for e in audit.json() if e["action"] == "session.login"]
    assert outcomes.count("denied") == 2
    assert outcomes.count("success") == 1


def test_login_is_refused_for_a_suspended_organisation(world: World) -> None:
    world.client.post(
        "/api/v1/organisations/alpha/people",
        json={
            "name": "Q",
            "email": "q@alpha.example",
            "role": "analyst",
            "password": "correct horse battery",
        },
        headers=world.auth("alpha-lead"),
    )
    world.client.post("/api/v1/organisations/alpha/suspend", headers=world.auth("centre-admin"))
    response = world.client.post(
        "/api/v1/login", json={"email": "q@alpha.example", "password": "correct horse battery"}
    )
    assert response.status_code == 401


def _login(world: World, email: str, password: str) -> Response:
    return world.client.post("/api/v1/login", json={"email": email, "password": password})


def test_repeated_failed_logins_are_refused_with_429_before_the_password_is_checked(
    world: World,
) -> None:
    world.client.post(
        "/api/v1/organisations/alpha/people",
        json={"name": "R", "email": "r@alpha.example", "role": "analyst", "password": "right one!"},
        headers=world.auth("alpha-lead"),
    )
    limit = world.services.login_throttle.policy.per_account
    assert [_login(world, "r@alpha.example", "wrong").status_code for _ in range(limit)] == (
        [401] * limit
    )
    refused = _login(world, "r@alpha.example", "right one!")
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 0 < int(refused.headers["Retry-After"]) <= 900
    assert refused.json()["status"] == 429 and "try again later" in refused.json()["detail"]
    audit = world.client.get("/api/v1/audit?limit=1000", headers=world.auth("centre-admin"))
    outcomes = [e["outcome"] for e in audit.json() if e["action"] == "session.login"]
    assert outcomes == ["denied"] * limit  # the refused attempt issued nothing


def test_an_unknown_account_is_throttled_alike(world: World) -> None:
    """The limit is no oracle for which e-mails have accounts."""
    limit = world.services.login_throttle.policy.per_account
    for _ in range(limit):
        assert _login(world, "ghost@alpha.example", "guess").status_code == 401
    refused = _login(world, "ghost@alpha.example", "guess")
    assert refused.status_code == 429
    assert _login(world, "other@alpha.example", "guess").status_code == 401
