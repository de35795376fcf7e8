"""A coalition for the console: people who sign in with a password, and alpha's and bravo's
alerts, incidents, one campaign across both, and an indicator alpha shared under TLP:AMBER.

Alpha's restricted details carry the marker ``ALPHA-SECRET`` (a host name, a rule title, a
user), so a test can look for it in any page another member sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson
from fastapi.testclient import TestClient

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.fuse import GroupingRules, fuse_hit
from shieldwall.model.alert import Entities, NewAlert
from shieldwall.model.identity import Person, Role
from shieldwall.runtime.wiring import Services
from shieldwall.server import create_app
from tests.unit.api.conftest import World, build_world
from tests.unit.share.intel_world import indicator

PASSWORD = "correct horse battery staple"
TAXII = "application/taxii+json;version=2.1"
SECRET = "ALPHA-SECRET"
SHARED_IP = "192.0.2.77"
PEOPLE = {
    "alpha@web.example": ("alpha", Role.ANALYST),
    "alpha-lead@web.example": ("alpha", Role.LEAD),
    "bravo@web.example": ("bravo", Role.ANALYST),
    "centre@web.example": ("centre", Role.ADMIN),
}


@dataclass
class Console:
    """The seeded world and what the tests address in it."""

    world: World
    people: dict[str, str]
    """Person id by e-mail."""
    incidents: dict[str, int]
    campaign_id: int
    indicator_id: str

    @property
    def services(self) -> Services:
        return self.world.services

    def client(self) -> TestClient:
        """A browser-like client on the loopback address (cookies without TLS)."""
        return TestClient(
            create_app(self.services), base_url="http://127.0.0.1", raise_server_exceptions=False
        )


def _alert(org: str, n: int, technique: str, when: datetime, secret: bool) -> NewAlert:
    title = f"{SECRET} credential dump" if secret else f"{org} beacon"
    return NewAlert(
        key=f"{org}:{n}:web",
        org_id=org,
        rule_id=f"rule-{org}",
        rule_title=title,
        level="high",
        tags=(f"attack.{technique.lower()}",),
        event_time=when,
        source=f"ingest:{org}:b#{n}",
        matched={},
        event={"Image": f"C:\\{org}\\tool.exe", "Computer": f"{SECRET}-host" if secret else "h"},
        entities=Entities(hosts=(f"{SECRET}-host" if secret else f"{org}-host",), ips=(SHARED_IP,)),
        techniques=(technique,),
    )


def _seed_people(services: Services) -> dict[str, str]:
    ids: dict[str, str] = {}
    for email, (org, role) in PEOPLE.items():
        person = Person("", org, email.split("@")[0], email, role)
        ids[email] = accounts.add_person(services.store, OPERATOR, person, PASSWORD).id
    return ids


def _seed_alerts(services: Services) -> dict[str, int]:
    now = datetime.now(UTC)
    news = [
        _alert("alpha", 1, "T1003.001", now - timedelta(days=1), True),
        _alert("alpha", 2, "T1059.001", now, True),
        _alert("bravo", 1, "T1071.001", now, False),
    ]
    with services.store.transaction() as tx:
        tx.alerts.add(news)
    ids: dict[str, int] = {}
    for new in news:
        with services.store.transaction() as tx:
            hit = tx.alerts.hit(new.key)
            assert hit is not None
            ids.setdefault(new.org_id, fuse_hit(tx.incidents, hit, GroupingRules()))
    with services.store.transaction() as tx:
        for org, incident in ids.items():
            tx.campaigns.note(f"ip:{SHARED_IP}", org, incident, now)
    return ids


def _share_indicator(world: World) -> str:
    headers = {**world.auth("alpha-lead"), "Accept": TAXII}
    listed = world.client.get("/taxii2/intel/collections/", headers=headers).json()
    collection = next(c["id"] for c in listed["collections"] if c["title"] == "To Alpha CERT")
    obj = indicator("alpha", tlp="amber", value=SHARED_IP, name=f"{SECRET} C2 server")
    response = world.client.post(
        f"/taxii2/intel/collections/{collection}/objects/",
        content=orjson.dumps({"objects": [obj]}),
        headers={**headers, "Content-Type": TAXII},
    )
    assert response.status_code == 202, response.text
    sighting = world.client.post(
        "/api/v1/intel/sightings",
        json={"sighting_of_ref": obj["id"], "count": 3},
        headers=world.auth("alpha-lead"),
    )
    assert sighting.status_code == 201, sighting.text
    return str(obj["id"])


def build_console(data_dir: Path, database_url: str = "", **settings: str) -> Console:
    """The coalition, its people with passwords, and its alerts, incidents and campaign
    (``settings``: more ``SHIELDWALL_*`` values)."""
    world = build_world(data_dir, database_url, **settings)
    people = _seed_people(world.services)
    incidents = _seed_alerts(world.services)
    indicator_id = _share_indicator(world)
    with world.services.store.reading() as tx:
        campaign_id = tx.campaigns.page(None, after=0, limit=1)[0].id
    return Console(world, people, incidents, campaign_id, indicator_id)


def sign_in(client: TestClient | httpx.Client, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a browser would."""
    form = client.get("/console/signin")
    token = form.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/console/signin",
        data={"csrf": token, "email": email, "password": password, "next": "/console"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
