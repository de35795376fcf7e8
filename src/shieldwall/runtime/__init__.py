"""The composition root: builds what a process runs on from its settings, and nothing else.

:func:`open_services` opens the store the settings name (SQLite by default, PostgreSQL at
scale), migrates it and loads the audit signing key; :func:`feed_runner` builds the TAXII
feed puller over it. Front ends and the server take these ready-made objects and never
open a database, a transaction or a connection of their own.
"""

from shieldwall.runtime.database import safe_database_url, schema_revisions, upgrade_database
from shieldwall.runtime.feeds import FeedWorker, feed_runner
from shieldwall.runtime.wiring import Services, open_services

__all__ = [
    "FeedWorker",
    "Services",
    "feed_runner",
    "open_services",
    "safe_database_url",
    "schema_revisions",
    "upgrade_database",
]
