"""Shared fixtures: the real services (PostgreSQL, NATS) and the shared corpus.

Outside CI a missing service or corpus skips its tests with a visible reason (``-ra``).
With ``CI=true`` it fails them: CI must never pass by skipping what it was meant to run.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get(
    "SHIELDWALL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
NATS_URL = os.environ.get("SHIELDWALL_TEST_NATS_URL", "nats://127.0.0.1:4222")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = Path(os.environ.get("SHIELDWALL_CORPUS", str(SHARED / "corpus")))
ATTACK_DATA = SHARED / "data" / "attack"


TERMINAL_SIZE = ("COLUMNS", "LINES")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Hand each pytest-xdist worker the terminal size variables of the run that started it."""
    node.workerinput["shieldwall_terminal_size"] = {k: os.environ.get(k) for k in TERMINAL_SIZE}


def pytest_configure(config: pytest.Config) -> None:
    """In a pytest-xdist worker, put COLUMNS and LINES back as the starting run had them.

    A worker starts with COLUMNS=80 and LINES=24 set, and the command line's rich consoles,
    built at import, would keep that width for good: tables and paths wrapped at 80 columns
    whatever COLUMNS a test sets, unlike in a run without workers.
    """
    wanted = getattr(config, "workerinput", {}).get("shieldwall_terminal_size")
    for key, value in (wanted or {}).items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def require(available: bool, what: str) -> None:
    """Fail in CI, skip elsewhere, when a dependency of a marked test is missing."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI (CI=true) but is not available", pytrace=False)
    pytest.skip(f"{what} is not available")


def _postgres_answers(url: str) -> bool:
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    try:
        with psycopg.connect(
            host=parsed.host,
            port=parsed.port or 5432,
            user=parsed.username,
            dbname=parsed.database,
            connect_timeout=3,
        ) as connection:
            connection.execute("SELECT 1")
    except psycopg.OperationalError:
        return False
    return True


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A schema of its own in the test PostgreSQL database, for this test session.

    Each session (a developer's run, CI, a helper's run at the same time, and each
    pytest-xdist worker of one run, named in the schema) migrates and empties its own
    schema, so leftovers of another run, branch or worker can never leak in, and one
    worker's per-test wipes never empty the tables under another's test. The test fails in
    CI when PostgreSQL does not answer.
    """
    import psycopg

    require(_postgres_answers(POSTGRES_URL), f"PostgreSQL at {POSTGRES_URL}")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    schema = f"sw_test_{worker}_{os.getpid()}_{secrets.token_hex(4)}"
    admin = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="session")
def nats_url() -> str:
    """URL of the test NATS JetStream server; the test fails in CI if it is down."""
    require(_port_open("127.0.0.1", 4222), "NATS at 127.0.0.1:4222")
    return NATS_URL


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared corpus (read-only): sigma/ and evtx/."""
    require((CORPUS / "sigma").is_dir() and (CORPUS / "evtx").is_dir(), f"corpus at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def attack_dir() -> Path:
    """The shared MITRE ATT&CK STIX bundle folder (read-only)."""
    require(ATTACK_DATA.is_dir(), f"ATT&CK data at {ATTACK_DATA}")
    return ATTACK_DATA


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: a fresh SQLite file, or this session's PostgreSQL schema.

    Empty as a new database is: the audit log holds its genesis entry (unsigned, as a
    migration without the key leaves it), on both databases alike.
    """
    from datetime import UTC, datetime

    from shieldwall.store import migrate
    from shieldwall.store.sql.audit_genesis import write_genesis
    from shieldwall.store.sql.engine import create_sql_engine
    from shieldwall.store.sql.tables import metadata

    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shieldwall.db'}"
    url = str(request.getfixturevalue("postgres_url"))
    engine = create_sql_engine(url)
    migrate.upgrade(engine)
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
        write_genesis(connection, None, datetime.now(UTC))
    engine.dispose()
    return url


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@pytest.fixture(scope="session")
def chromium() -> list[str]:
    """The command line of Debian's headless chromium; the test fails in CI if it is absent."""
    import shutil

    path = shutil.which("chromium")
    require(path is not None, "chromium (Debian package 'chromium')")
    assert path is not None
    return [path, *CHROMIUM_FLAGS]
