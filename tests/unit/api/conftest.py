"""A running API over a fresh store, with two member organisations and a token per role.

``alpha`` is the caller's own organisation in the matrix tests and ``bravo`` the other one;
``centre`` holds the coalition admin.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.config.settings import load_settings
from shieldwall.model.identity import Organisation, OrgKind, Person, Role
from shieldwall.runtime.wiring import Services, open_services
from shieldwall.server import create_app

MEMBER_ROLES = (Role.LEAD, Role.ANALYST, Role.LIAISON, Role.SENSOR)


@dataclass
class World:
    """The seeded coalition: ids and tokens the tests address."""

    services: Services
    client: TestClient
    tokens: dict[str, str]
    """Bearer token by caller name: ``centre-admin``, ``alpha-lead``, ``bravo-analyst`` ..."""
    people: dict[str, str]
    """Person id by the same names."""
    token_ids: dict[str, str]

    def auth(self, caller: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[caller]}"}


def _seed_person(services: Services, world: World, org: str, role: Role, name: str) -> None:
    person = Person("", org, name, f"{name}@{org}.example", role)
    stored = accounts.add_person(services.store, OPERATOR, person)
    issued = accounts.create_token(services.store, OPERATOR, stored.id, name, timedelta(days=1))
    world.tokens[name] = issued.secret
    world.people[name] = stored.id
    world.token_ids[name] = issued.token.id


def build_world(data_dir: Path, database_url: str = "", **settings: str) -> World:
    """The coalition over a fresh store; ``settings`` are more ``SHIELDWALL_*`` values."""
    env = {"SHIELDWALL_DATA_DIR": str(data_dir), "SHIELDWALL_MAX_BODY_BYTES": "65536", **settings}
    if database_url:
        env["SHIELDWALL_DATABASE_URL"] = database_url
    services = open_services(load_settings(env))
    client = TestClient(create_app(services), raise_server_exceptions=False)
    world = World(services, client, {}, {}, {})
    for org in (
        Organisation("centre", "Centre", OrgKind.CENTRE, "BE"),
        Organisation("alpha", "Alpha CERT", OrgKind.NATION, "FR", ("government",)),
        Organisation("bravo", "Bravo CSIRT", OrgKind.MILITARY, "DE", ("defence",)),
    ):
        accounts.add_organisation(services.store, OPERATOR, org)
    _seed_person(services, world, "centre", Role.ADMIN, "centre-admin")
    for org in ("alpha", "bravo"):
        for role in MEMBER_ROLES:
            _seed_person(services, world, org, role, f"{org}-{role.value}")
        _seed_person(services, world, org, Role.ANALYST, f"{org}-colleague")
    return world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    yield built
    built.services.close()
