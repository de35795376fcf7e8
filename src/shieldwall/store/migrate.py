"""Running and checking migrations: upgrade, current revision, drift against the schema.

Alembic is driven programmatically (no alembic.ini to ship or find): the scripts live in the
package, and every command runs on a connection from the store's own engine.
"""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.tables import metadata

SCRIPT_LOCATION = "shieldwall.store:migrations"
MIGRATION_LOCK = 0x5348_4C44
"""PostgreSQL advisory lock id: replicas starting together migrate one at a time."""


def _config(connection: Any, signer: Signer | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    config.attributes["signer"] = signer
    return config


def upgrade(engine: Engine, revision: str = "head", *, signer: Signer | None = None) -> None:
    """Bring the database to ``revision`` (default: the newest).

    ``signer`` is the audit key: with it, a new database's genesis entry is signed as the
    head at once, and an older log is re-signed under labels (revision 0005). The service
    always passes it; without it the first append signs the genesis.
    """
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        command.upgrade(_config(connection, signer), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database back to ``revision`` (``base`` empties it)."""
    with engine.begin() as connection:
        command.downgrade(_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision the package ships."""
    head = ScriptDirectory.from_config(_config(None)).get_current_head()
    if head is None:
        raise RuntimeError("the package ships no migrations")
    return head


def _ours(_object: Any, name: str | None, kind: str, _reflected: bool, _other: Any) -> bool:
    """Tables of the embedded bus live in the same SQLite file but are not the store's."""
    return not (kind == "table" and name is not None and name.startswith("bus_"))


def drift(engine: Engine) -> list[Any]:
    """Differences between the migrated database and the declared schema (empty = none)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _ours}
        )
        return list(compare_metadata(context, metadata))
