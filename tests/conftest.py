"""Shared fixtures: the real services (PostgreSQL, NATS) and the shared corpus.

Outside CI a missing service or corpus skips its tests with a visible reason (``-ra``).
With ``CI=true`` it fails them: CI must never pass by skipping what it was meant to run.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get(
    "SHIELDWALL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
NATS_URL = os.environ.get("SHIELDWALL_TEST_NATS_URL", "nats://127.0.0.1:4222")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = Path(os.environ.get("SHIELDWALL_CORPUS", str(SHARED / "corpus")))
ATTACK_DATA = SHARED / "data" / "attack"


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
def postgres_url() -> str:
    """URL of the test PostgreSQL database; the test fails in CI if it is down."""
    require(_postgres_answers(POSTGRES_URL), f"PostgreSQL at {POSTGRES_URL}")
    return POSTGRES_URL


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


TABLES_IN_DELETE_ORDER = (
    "audit_head",
    "audit_checkpoints",
    "audit_entries",
    "api_tokens",
    "people",
    "organisations",
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: a fresh SQLite file, or the test PostgreSQL emptied."""
    from shieldwall.store import migrate
    from shieldwall.store.sql.engine import create_sql_engine

    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shieldwall.db'}"
    url = str(request.getfixturevalue("postgres_url"))
    engine = create_sql_engine(url)
    migrate.upgrade(engine)
    with engine.begin() as connection:
        for table in TABLES_IN_DELETE_ORDER:
            connection.exec_driver_sql(f"DELETE FROM {table}")
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
