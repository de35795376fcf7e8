"""A small coalition in a real store, and builders for STIX objects the share tests post.

alpha and bravo are members; charlie is a registered client of alpha. Every organisation
has one analyst ``p-<org>``; alpha has a second analyst ``p-alpha-2``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from shieldwall.model.identity import Organisation, OrgKind, Person, Principal, Role
from shieldwall.model.sharing import Community, CommunityRule
from shieldwall.policy.gate import Viewer
from shieldwall.policy.markings import TLP_AMBER, TLP_AMBER_STRICT, TLP_CLEAR, TLP_GREEN, TLP_RED
from shieldwall.share.intel.audience import Addressing
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.identity import identity_id
from shieldwall.share.intel.publish import PublishResult, publish
from shieldwall.share.intel.read import IntelReader
from shieldwall.store import migrate
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore

MARK = {
    "clear": TLP_CLEAR.id,
    "green": TLP_GREEN.id,
    "amber": TLP_AMBER.id,
    "strict": TLP_AMBER_STRICT.id,
    "red": TLP_RED.id,
}
ORGS = (
    Organisation("alpha", "Alpha CERT", OrgKind.NATION, "FR", ("government",)),
    Organisation("bravo", "Bravo CSIRT", OrgKind.MILITARY, "DE", ("energy",)),
    Organisation("charlie", "Charlie Grid", OrgKind.CIVIL, "FR", ("energy",), "alpha"),
)
PEOPLE = (
    *(Person(f"p-{o.id}", o.id, o.name, f"a@{o.id}.example", Role.ANALYST) for o in ORGS),
    Person("p-alpha-2", "alpha", "Second", "b@alpha.example", Role.ANALYST),
)
ENERGY = Community("energy", "Energy", (CommunityRule(sectors=frozenset({"energy"})),))


def open_store(path: Path, url: str = "") -> SqlStore:
    """A migrated store holding the coalition above."""
    engine = create_sql_engine(url or f"sqlite:///{path / 'intel.db'}")
    migrate.upgrade(engine)
    store = SqlStore(engine, Signer.generate())
    with store.transaction() as tx:
        for org in ORGS:
            tx.organisations.add(org)
        for person in PEOPLE:
            tx.people.add(person, None)
        tx.communities.add(ENERGY)
    return store


def principal(person_id: str) -> Principal:
    person = next(p for p in PEOPLE if p.id == person_id)
    org = next(o for o in ORGS if o.id == person.org_id)
    return Principal(person.id, org.id, person.role, org.kind, org.country, org.sectors)


def recent(days_ago: float, now: datetime | None = None) -> str:
    """A STIX timestamp ``days_ago`` days before ``now`` (the real clock by default).

    Watchlists hold an indicator only until its score decays (share/intel/scoring.py: an
    IP indicator of confidence 50 about 40 days after its ``modified``), so indicators a
    watchlist test expects to match carry a recent ``modified``, not this module's 2024."""
    moment = (now or datetime.now(UTC)) - timedelta(days=days_ago)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def indicator(
    org: str,
    *,
    tlp: str | None = "green",
    value: str = "10.0.0.1",
    modified: str = "2024-01-01T00:00:00.000Z",
    ident: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A valid indicator by ``org`` for an IPv4 address."""
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": ident or f"indicator--{uuid.uuid4()}",
        "created": "2024-01-01T00:00:00.000Z",
        "modified": modified,
        "created_by_ref": identity_id(org),
        "pattern": f"[ipv4-addr:value = '{value}']",
        "pattern_type": "stix",
        "valid_from": "2024-01-01T00:00:00Z",
        **extra,
    }
    if tlp is not None:
        obj["object_marking_refs"] = [MARK[tlp]]
    return obj


@dataclass
class Session:
    """Publishing and reading as one person, each call in its own transaction."""

    store: SqlStore
    person_id: str

    @property
    def principal(self) -> Principal:
        return principal(self.person_id)

    def publish(self, objects: list[Any], addressing: Addressing | None = None) -> PublishResult:
        with self.store.transaction() as tx:
            return publish(
                tx, self.principal, objects, addressing or Addressing(), StoreDirectory(tx)
            )

    def read_ids(self, **query: Any) -> list[str]:
        from shieldwall.model.intel import IntelQuery

        with self.store.transaction() as tx:
            viewer = Viewer.for_principal(self.principal, StoreDirectory(tx))
            page = IntelReader(tx, viewer, self.principal).page(IntelQuery(**query), limit=1000)
        return [item.stix_id for item in page.items]
