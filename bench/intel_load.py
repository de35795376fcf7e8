"""Shared indicators for the pipeline bench: bravo shares N, alpha's watchlists take them.

:func:`indicators` makes a realistic mix of plain STIX 2.1 indicators (TLP:GREEN): IPv4
addresses and blocks, IPv6 addresses and blocks, domains, URLs, MD5/SHA-1/SHA-256
digests, file names and e-mail addresses, a few of them two comparisons joined by ``OR``.
Every value sits in a reserved space (198.18.0.0/15, 240.0.0.0/4, 2001:db8::/32, the
``.invalid`` top-level domain, random digests), so none matches the corpus; the bench's
own probes are the only indicators meant to alert. :func:`publish_all` publishes them
through :func:`shieldwall.share.intel.publish.publish` (the path of TAXII and REST), one
transaction per batch, as bravo's analyst.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

TLP_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
_NOW = datetime.now(UTC)
STAMP = _NOW.strftime("%Y-%m-%dT%H:%M:%S.") + f"{_NOW.microsecond // 1000:03d}Z"
"""Published now: the watchlists hold an indicator only until its score decays (an IP of
confidence 50 about 40 days after its ``modified``, share/intel/scoring.py)."""


def _digest(n: int, size: int) -> str:
    return hashlib.sha256(f"bench-{n}".encode()).hexdigest()[: size // 4].rjust(size // 4, "0")


def comparison(n: int) -> str:
    """The ``n``-th comparison of the mix (weights: the share of each kind in real feeds)."""
    kind = n % 20
    if kind < 6:
        return f"ipv4-addr:value = '198.{18 + (n >> 16 & 1)}.{n >> 8 & 255}.{n & 255}'"
    if kind == 6:
        return f"ipv4-addr:value = '240.{n >> 16 & 255}.{n >> 8 & 255}.{n & 240}/28'"
    if kind == 7:
        return f"ipv6-addr:value = '2001:db8:{n >> 16:x}:{n & 65535:x}::1'"
    if kind == 8:
        return f"ipv6-addr:value = '2001:db8:ffff:{n & 65535:x}::/64'"
    if kind < 12:
        return f"domain-name:value = 'h{n:x}.bench{n % 97}.invalid'"
    if kind == 12:
        return f"url:value = 'http://u{n:x}.bench.invalid/p/{n % 1000}'"
    if kind == 13:
        return f"file:hashes.MD5 = '{_digest(n, 128)}'"
    if kind == 14:
        return f"file:hashes.'SHA-1' = '{_digest(n, 160)}'"
    if kind < 17:
        return f"file:hashes.'SHA-256' = '{_digest(n, 256)}'"
    if kind == 17:
        return f"file:name = 'bench{n:x}.exe'"
    return f"email-addr:value = 'x{n:x}@mail{n % 31}.bench.invalid'"


def indicator(n: int, producer: str, pattern: str = "") -> dict[str, Any]:
    """A TLP:GREEN indicator of the mix (one in 50 compares two values joined by OR)."""
    if not pattern:
        pattern = f"[{comparison(n)}]"
        if n % 50 == 49:
            pattern = f"[{comparison(n)} OR {comparison(n + 7)}]"
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.UUID(int=n | 0x8000_0000_0000_4000_8000_0000_0000_0000)}",
        "created": STAMP,
        "modified": STAMP,
        "created_by_ref": producer,
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
        "object_marking_refs": [TLP_GREEN],
    }


def indicators(count: int, producer: str) -> Iterator[dict[str, Any]]:
    return (indicator(n, producer) for n in range(count))


def publish_all(
    env: dict[str, str],
    sharer: str,
    objects: list[dict[str, Any]],
    batch: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Publish ``objects`` as bravo's analyst ``sharer``, ``batch`` per transaction (a
    refused object raises, naming the first reasons)."""
    from shieldwall.config.settings import load_settings
    from shieldwall.model.identity import Principal, Role
    from shieldwall.runtime.wiring import open_services
    from shieldwall.share.intel.audience import Addressing
    from shieldwall.share.intel.directory import StoreDirectory
    from shieldwall.share.intel.publish import publish

    who = Principal(sharer, "bravo", Role.ANALYST)
    services = open_services(load_settings(env), upgrade=False)
    try:
        for start in range(0, len(objects), batch):
            with services.store.transaction() as tx:
                chunk = objects[start : start + batch]
                result = publish(tx, who, chunk, Addressing(), StoreDirectory(tx))
            if result.failures:
                raise RuntimeError(f"indicators refused: {result.failures[:3]}")
            if progress is not None:
                progress(start + len(chunk))
    finally:
        services.close()


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and its descendants (Linux /proc)."""
    return sum(_status(p, "VmRSS:") for p in _tree(pid)) / 1024


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its descendants (alive ones) so far."""
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / 100


def _tree(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def _status(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@contextmanager
def own_schema(url: str, name: str) -> Iterator[str]:
    """On PostgreSQL: the URL pointed at a schema of this run's own (dropped at the end),
    so a run starts empty and leaves nothing behind, and its sessions named ``name`` for
    :func:`backend_cpu_seconds`. Any other URL as it is."""
    if not url.startswith("postgresql"):
        yield url
        return
    import psycopg

    admin = url.replace("postgresql+psycopg://", "postgresql://")
    schema = f"{name}_{os.getpid()}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    joiner = "&" if "?" in url else "?"
    try:
        yield f"{url}{joiner}options=-csearch_path%3D{schema}&application_name={schema}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def backend_cpu_seconds(url: str) -> float:
    """CPU so far of the PostgreSQL server processes serving this run's open sessions
    (named by :func:`own_schema`); 0 for another database."""
    if "application_name=" not in url:
        return 0.0
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://").split("?", 1)[0]
    name = url.rsplit("application_name=", 1)[1].split("&", 1)[0]
    with psycopg.connect(plain, autocommit=True) as connection:
        pids = [
            row[0]
            for row in connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (name,)
            )
        ]
    return sum(tree_cpu_seconds(pid) for pid in pids)
