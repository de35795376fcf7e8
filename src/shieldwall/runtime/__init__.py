"""The composition root: builds what a process runs on from its settings, and nothing else.

:func:`open_services` opens the store the settings name (SQLite by default, PostgreSQL at
scale), migrates it and loads the audit signing key; :func:`feed_runner` builds the TAXII
feed puller over it; :class:`LiveBus` and :class:`DetectThread` wire the live pipeline.
Front ends and the server take these ready-made objects and never open a database, a
transaction or a connection of their own.
"""

from shieldwall.runtime.database import safe_database_url, schema_revisions, upgrade_database
from shieldwall.runtime.feeds import FeedWorker, feed_runner
from shieldwall.runtime.live import DetectThread, FuseThread, LiveBus, grouping_rules, live_rules
from shieldwall.runtime.notify import NotifyThread
from shieldwall.runtime.playbook_worker import PlaybookWorker
from shieldwall.runtime.stage_processes import StageProcesses
from shieldwall.runtime.syslog import SyslogThread
from shieldwall.runtime.watch_sightings import SightingReporter
from shieldwall.runtime.watchlists import Watchlists
from shieldwall.runtime.wiring import Services, open_services

__all__ = [
    "DetectThread",
    "FeedWorker",
    "FuseThread",
    "LiveBus",
    "NotifyThread",
    "PlaybookWorker",
    "Services",
    "SightingReporter",
    "StageProcesses",
    "SyslogThread",
    "Watchlists",
    "feed_runner",
    "grouping_rules",
    "live_rules",
    "open_services",
    "safe_database_url",
    "schema_revisions",
    "upgrade_database",
]
