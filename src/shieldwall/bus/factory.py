"""Open the bus a URL names: the composition root's one way to get a :class:`Bus`.

Kept apart from the package's ``__init__`` so that a stage importing the protocol never
pulls in NATS (the import-linter contracts check it).

================================  ===========================================
URL                               bus
================================  ===========================================
``embedded``                      embedded, in the file the caller names
``sqlite:///relative/file.db``    embedded, in that file (SQLAlchemy's form;
``sqlite:////absolute/file.db``   ``sqlite+pysqlite://`` also accepted)
``nats://host:4222``              NATS JetStream; several servers separated
``nats://a:4222,nats://b:4222``   by commas; ``tls://`` for TLS; options
``...?replicas=3``                ``replicas`` and ``duplicate_window`` (s)
================================  ===========================================
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import parse_qs

from shieldwall.bus.embedded import EmbeddedBus
from shieldwall.bus.nats import DEFAULT_DUPLICATE_WINDOW, NatsBus, redact
from shieldwall.bus.protocol import Bus
from shieldwall.model.errors import ConfigError

SETTING = "SHIELDWALL_BUS_URL"
_SQLITE_SCHEMES = ("sqlite:///", "sqlite+pysqlite:///")
_NATS_SCHEMES = ("nats://", "tls://")
_NATS_OPTIONS = {"replicas": int, "duplicate_window": float}


def embedded_path(url: str, store_path: Path | None = None) -> Path | None:
    """The SQLite file an embedded bus URL names, or None if ``url`` is not embedded."""
    if url == "embedded":
        if store_path is None:
            raise ConfigError(SETTING, "'embedded' needs the store's SQLite file, none was given")
        return store_path
    for scheme in _SQLITE_SCHEMES:
        if url.startswith(scheme):
            path = url.removeprefix(scheme)
            if not path or path.startswith(":memory:") or "?" in path:
                raise ConfigError(
                    SETTING,
                    f"{url!r} must name a database file (no ':memory:', no options): "
                    "the bus needs a durable file in WAL mode",
                )
            return Path(path)
    return None


def nats_settings(url: str) -> tuple[list[str], dict[str, float]] | None:
    """Servers and options of a NATS URL, or None if ``url`` is not a NATS URL."""
    if not url.startswith(_NATS_SCHEMES):
        return None
    servers_part, _, query = url.partition("?")
    servers = [server.strip() for server in servers_part.split(",")]
    if not all(server.startswith(_NATS_SCHEMES) for server in servers):
        raise ConfigError(
            SETTING, f"every server in {redact_all(servers)} must be nats:// or tls://"
        )
    options: dict[str, float] = {}
    for name, values in parse_qs(query, strict_parsing=bool(query)).items():
        if name not in _NATS_OPTIONS:
            raise ConfigError(
                SETTING, f"unknown NATS option {name!r}; known: replicas, duplicate_window"
            )
        try:
            options[name] = _NATS_OPTIONS[name](values[-1])
        except ValueError as error:
            raise ConfigError(
                SETTING, f"NATS option {name}={values[-1]!r} is not a number"
            ) from error
    return servers, options


def redact_all(servers: list[str]) -> str:
    """The server list for messages, without credentials."""
    return ", ".join(redact(server) for server in servers)


async def open_bus(
    url: str,
    *,
    store_path: Path | None = None,
    queue_for: Callable[[Path], AbstractContextManager[object]] | None = None,
) -> Bus:
    """Open the bus ``url`` names; ``store_path`` is the file for ``embedded``.

    ``queue_for`` gives an embedded bus's file the lock its writers queue on (see
    :meth:`~shieldwall.bus.sqlite_log.SqliteLog.open`); the composition root passes it,
    since the bus cannot import the store's.

    Raises :class:`ConfigError` for a URL of no known form and
    :class:`~shieldwall.model.errors.BusError` when the bus cannot be opened.
    """
    path = embedded_path(url, store_path)
    if path is not None:
        return await EmbeddedBus.open(path, queue=queue_for(path) if queue_for else None)
    nats = nats_settings(url)
    if nats is not None:
        servers, options = nats
        return await NatsBus.connect(
            servers,
            replicas=int(options.get("replicas", 1)),
            duplicate_window=options.get("duplicate_window", DEFAULT_DUPLICATE_WINDOW),
        )
    raise ConfigError(
        SETTING,
        f"{redact(url)!r} is not a bus URL; use 'embedded', 'sqlite:///file.db' or "
        "'nats://host:4222'",
    )
