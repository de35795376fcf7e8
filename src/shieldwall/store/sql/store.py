"""The SQL store: opens transactions and hands out the repositories of each."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DataError, DBAPIError, OperationalError, StatementError
from sqlalchemy.exc import IntegrityError as SqlIntegrityError

from shieldwall.model.errors import ConflictError, InputError, ShieldwallError, StoreError
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.alerts import SqlAlerts
from shieldwall.store.sql.assist import SqlAssistance
from shieldwall.store.sql.audit import SqlAudit
from shieldwall.store.sql.campaigns import SqlCampaigns
from shieldwall.store.sql.cases import SqlCases, SqlHandovers
from shieldwall.store.sql.correlations import SqlCorrelations
from shieldwall.store.sql.engine import BEGIN_MODE
from shieldwall.store.sql.feeds import SqlFeedStates
from shieldwall.store.sql.identity import SqlOrganisations, SqlPeople, SqlTokens
from shieldwall.store.sql.incident_releases import SqlReleases
from shieldwall.store.sql.incidents import SqlIncidents
from shieldwall.store.sql.intel import SqlIntel
from shieldwall.store.sql.intel_taxii import SqlCollections, SqlCommunities, SqlStatuses
from shieldwall.store.sql.measures import SqlMeasures
from shieldwall.store.sql.notify import SqlNotifications
from shieldwall.store.sql.playbooks import SqlPlaybooks
from shieldwall.store.sql.posture import SqlPosture, SqlSectors
from shieldwall.store.sql.rules import SqlRules
from shieldwall.store.sql.stream import SqlStream
from shieldwall.store.sql.throttle import SqlLoginAttempts


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class SqlUnitOfWork:
    """The repositories bound to one open transaction."""

    def __init__(
        self,
        connection: Connection,
        signer: Signer,
        checkpoint_every: int,
        clock: Callable[[], datetime],
    ) -> None:
        now = clock()
        self.connection = connection
        self.organisations = SqlOrganisations(connection, now)
        self.people = SqlPeople(connection, now)
        self.tokens = SqlTokens(connection)
        self.audit = SqlAudit(connection, signer, checkpoint_every, clock)
        self.intel = SqlIntel(connection, now)
        self.collections = SqlCollections(connection, now)
        self.statuses = SqlStatuses(connection)
        self.communities = SqlCommunities(connection, now)
        self.feeds = SqlFeedStates(connection)
        self.alerts = SqlAlerts(connection, now)
        self.incidents = SqlIncidents(connection, now)
        self.campaigns = SqlCampaigns(connection, now)
        self.releases = SqlReleases(connection, now)
        self.login_attempts = SqlLoginAttempts(connection)
        self.posture = SqlPosture(connection, now)
        self.sectors = SqlSectors(connection)
        self.stream = SqlStream(connection)
        self.measures = SqlMeasures(connection, now)
        self.cases = SqlCases(connection, now)
        self.handovers = SqlHandovers(connection, now)
        self.rules = SqlRules(connection, now)
        self.correlations = SqlCorrelations(connection, now)
        self.notifications = SqlNotifications(connection, now)
        self.assistance = SqlAssistance(connection, now)
        self.playbooks = SqlPlaybooks(connection, now)


class SqlStore:
    """A Store over a SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(
        self,
        engine: Engine,
        signer: Signer,
        *,
        checkpoint_every: int = 1000,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.engine = engine
        self._signer = signer
        self._every = checkpoint_every
        self._clock = clock

    @contextmanager
    def transaction(self) -> Iterator[SqlUnitOfWork]:
        """One write transaction: commits on success, rolls back on any error."""
        with self._unit(write=True) as work:
            yield work

    @contextmanager
    def reading(self) -> Iterator[SqlUnitOfWork]:
        """One read-only transaction that no writer blocks and that blocks no writer.

        SQLite begins it DEFERRED: in WAL mode a reader keeps its snapshot while a writer
        commits beside it; PostgreSQL runs it REPEATABLE READ for the same one snapshot (so
        audit verification never sees a head newer than the entries it read). Both
        databases refuse a write in it (SQLite ``query_only``, PostgreSQL ``READ ONLY``)
        with a :class:`StoreError`.
        """
        with self._unit(write=False) as work:
            yield work

    @contextmanager
    def _unit(self, *, write: bool) -> Iterator[SqlUnitOfWork]:
        try:
            with self.engine.connect() as raw, _read_only(raw, not write):
                mode = "IMMEDIATE" if write else "DEFERRED"
                connection = raw.execution_options(**{BEGIN_MODE: mode})
                with connection.begin():
                    if not write and connection.dialect.name == "postgresql":
                        connection.exec_driver_sql(
                            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
                        )
                    work = SqlUnitOfWork(connection, self._signer, self._every, self._clock)
                    yield work
                    work.incidents.flush()
                    work.audit.flush()
        except SqlIntegrityError as exc:
            raise ConflictError(_constraint_message(exc)) from exc
        except OperationalError as exc:
            raise StoreError("the database is unavailable or refused the operation") from exc
        except DataError as exc:
            raise InputError("a value does not fit the database's column") from exc
        except DBAPIError as exc:
            raise StoreError("the database refused the operation") from exc
        except StatementError as exc:  # a column type refused a value before SQL ran
            if isinstance(exc.orig, ShieldwallError):
                raise exc.orig from exc
            raise

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except OperationalError:
            return False
        return True

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()


@contextmanager
def _read_only(connection: Connection, on: bool) -> Iterator[None]:
    """SQLite ``query_only`` for the life of a read-only unit (pooled connections reset)."""
    if not on or connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection  # outside SQLAlchemy's autobegin
    assert driver is not None
    driver.execute("PRAGMA query_only=ON")
    try:
        yield
    finally:
        driver.execute("PRAGMA query_only=OFF")


def _constraint_message(exc: SqlIntegrityError) -> str:
    text_ = str(exc.orig).lower()
    if "unique" in text_ or "duplicate" in text_:
        return "an object with that identifier already exists"
    if "foreign key" in text_:
        return "a referenced object does not exist"
    return "the change violates a constraint"
