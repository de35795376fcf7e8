"""A small coalition in a migrated store (SQLite or PostgreSQL), a real HTTP receiver on
127.0.0.1 and a real SMTP server (aiosmtpd), for the tests of respond/.

``centre`` holds the coalition admin; ``alpha`` and ``bravo`` are members, ``alpha-client``
is a client of alpha (TLP:AMBER reaches it through alpha).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from shieldwall.model.identity import Organisation, OrgKind, Person, Principal, Role
from shieldwall.store import migrate
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.audit_genesis import write_genesis
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore
from shieldwall.store.sql.tables import metadata

SIGNER = Signer.generate()
KEY = "k" * 40 + "-the-alpha-webhook-signing-key"

ORGS = (
    Organisation("centre", "Centre", OrgKind.CENTRE, "BE"),
    Organisation("alpha", "Alpha CERT", OrgKind.NATION, "FR"),
    Organisation("bravo", "Bravo CSIRT", OrgKind.MILITARY, "DE"),
    Organisation("alpha-client", "Alpha's client", OrgKind.CIVIL, "FR", parent_id="alpha"),
)
PEOPLE = {
    "centre-admin": ("centre", Role.ADMIN),
    "alpha-lead": ("alpha", Role.LEAD),
    "alpha-analyst": ("alpha", Role.ANALYST),
    "alpha-liaison": ("alpha", Role.LIAISON),
    "bravo-lead": ("bravo", Role.LEAD),
    "bravo-analyst": ("bravo", Role.ANALYST),
    "client-lead": ("alpha-client", Role.LEAD),
}
KINDS = {org.id: org.kind for org in ORGS}


def who(name: str) -> Principal:
    """The principal of one of the seeded people."""
    org, role = PEOPLE[name]
    return Principal(name, org, role, KINDS[org])


def empty_store(database_url: str) -> SqlStore:
    """The test database migrated and emptied (the audit genesis written), as a store."""
    engine = create_sql_engine(database_url)
    migrate.upgrade(engine)
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
        write_genesis(connection, None, datetime.now(UTC))
    return SqlStore(engine, SIGNER)


def seed(store: SqlStore) -> None:
    """The coalition: organisations first, then people."""
    with store.transaction() as tx:
        for org in ORGS:
            tx.organisations.add(org)
        for name, (org, role) in PEOPLE.items():
            tx.people.add(Person(name, org, name, f"{name}@{org}.example", role), None)


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    """A seeded store on SQLite, and on PostgreSQL (marked)."""
    opened = empty_store(database_url)
    seed(opened)
    yield opened
    opened.close()


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 answering from a script of statuses (then 200)."""

    server: ThreadingHTTPServer
    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/hooks/secret-path-token"


def _handler(statuses: list[int], received: list[Received]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            received.append(Received(self.path, dict(self.headers.items()), body))
            status = statuses.pop(0) if statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on a free port of 127.0.0.1."""
    statuses: list[int] = []
    received: list[Received] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(statuses, received))
    holder = Receiver(server, statuses, received)
    thread = threading.Thread(target=holder.server.serve_forever, daemon=True)
    thread.start()
    yield holder
    holder.server.shutdown()
    holder.server.server_close()
    thread.join(5)
