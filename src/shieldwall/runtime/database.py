"""The database named by the settings: open it, bring its schema up to date, name it safely."""

from __future__ import annotations

from shieldwall.config.settings import Settings
from shieldwall.store import migrate
from shieldwall.store.audit.signing import load_or_create_signer
from shieldwall.store.sql.engine import create_sql_engine, parsed_safe


def upgrade_database(settings: Settings) -> str | None:
    """Migrate the database to the newest schema; returns the revision it is now at."""
    engine = create_sql_engine(settings.effective_database_url)
    migrate.upgrade(engine, signer=load_or_create_signer(settings.data_dir))
    return migrate.current_revision(engine)


def schema_revisions(settings: Settings) -> tuple[str | None, str | None]:
    """(the database's schema revision, the newest revision this code knows)."""
    engine = create_sql_engine(settings.effective_database_url)
    return migrate.current_revision(engine), migrate.head_revision()


def safe_database_url(settings: Settings) -> str:
    """The database URL with any password left out, fit for a log line or a banner."""
    return parsed_safe(settings.effective_database_url)
