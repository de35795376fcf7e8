"""A migrated SQLite store for desk-level tests of cases, copied from one template per run."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from shieldwall.model.identity import Organisation, OrgKind, Person, Principal, Role
from shieldwall.store import migrate
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore

_TEMPLATE: list[Path] = []
SIGNER = Signer.generate()


def _template() -> Path:
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="cases-template-"))
        engine = create_sql_engine(f"sqlite:///{folder / 'db.sqlite'}")
        migrate.upgrade(engine)
        engine.dispose()
        _TEMPLATE.append(folder / "db.sqlite")
    return _TEMPLATE[0]


def fresh_store(folder: Path) -> SqlStore:
    """A migrated, empty SQLite store in ``folder``."""
    shutil.copy(_template(), folder / "db.sqlite")
    return SqlStore(create_sql_engine(f"sqlite:///{folder / 'db.sqlite'}"), SIGNER)


def seed(store: SqlStore, orgs: list[Organisation], people: list[Person]) -> None:
    """Organisations and people, as an operator would add them."""
    with store.transaction() as tx:
        for org in orgs:
            tx.organisations.add(org)
        for person in people:
            tx.people.add(person, None)


def principal(person: Person, kind: OrgKind) -> Principal:
    """The principal a token of this person would give."""
    return Principal(person.id, person.org_id, person.role, kind)


def incident(store: SqlStore, org_id: str, key: str, severity: str = "high") -> int:
    """An incident of the member, as the fuse stage would open it."""
    with store.transaction() as tx:
        return tx.incidents.open(org_id, f"incident {key}", severity, f"{org_id}:{key}")


def lead_of(org: Organisation) -> Person:
    """The lead who works for the organisation in these tests."""
    return Person(f"w-{org.id}", org.id, "Worker", f"w@{org.id}.example", Role.LEAD)
