"""One version of one member's list: the files of its formats and their signed manifest.

The version number moves only when the content moves: the digest of the items (every
field a file prints but the version and time) is compared with the last version's, so an
unchanged list keeps its number, its files and its ETags from one pull to the next.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from shieldwall.model.measures import ListVersion, MeasureFormat
from shieldwall.respond.measures.allow import Stopped
from shieldwall.respond.measures.formats import WRITERS, BuildContext
from shieldwall.respond.measures.formats.memo import Memo, shared
from shieldwall.respond.measures.items import Item
from shieldwall.respond.measures.manifest import MANIFEST_FILE, file_entry, manifest_bytes
from shieldwall.respond.measures.manifest import sign_manifest as _sign
from shieldwall.respond.measures.sources import Refused
from shieldwall.store.audit.signing import Signer

MANIFEST_SCHEMA = "shieldwall-measures/1"
_LINES: Memo[bytes] = Memo()


@dataclass(frozen=True, slots=True)
class ListBuild:
    """A member's list version: files by format, the signed manifest, and what was left out."""

    version: ListVersion
    files: dict[MeasureFormat, bytes]
    manifest: dict[str, Any]
    items: Sequence[Item] = ()
    stopped: Sequence[Stopped] = ()
    refused: Sequence[Refused] = ()
    etags: dict[str, str] = field(default_factory=dict)

    def file_name(self, fmt: MeasureFormat) -> str:
        """Where the format's file is written (and what the manifest calls it)."""
        return WRITERS[fmt].file_name

    @property
    def manifest_bytes(self) -> bytes:
        """The manifest as served and written."""
        return manifest_bytes(self.manifest)


def digest_of(items: Sequence[Item], formats: Sequence[MeasureFormat]) -> str:
    """SHA-256 of everything the files print but the version and time (each item's line
    is kept between builds, as the files' pieces are: :mod:`.formats.memo`)."""
    hasher = hashlib.sha256(",".join(sorted(formats)).encode())
    hasher.update(b"".join(_LINES.pieces(items, _line)))
    return hasher.hexdigest()


def _line(item: Item) -> bytes:
    since = "" if item.since is None else item.since.isoformat()
    until = "" if item.valid_until is None else item.valid_until.isoformat()
    line = (
        f"\n{item.kind}\t{item.value}\t{item.source}\t{item.confidence}"
        f"\t{since}\t{until}\t{item.reason}"
    )
    return line.encode("utf-8", "replace")


def counts_of(items: Sequence[Item]) -> dict[str, int]:
    """How many items of each kind."""
    counted = Counter(map(itemgetter(0), items))  # the kinds, not their names: no property
    return dict(sorted((kind.value, count) for kind, count in counted.items()))


Rendered = tuple[dict[MeasureFormat, bytes], dict[str, Any]]
CACHED_VERSIONS = 32
CACHED_BYTES = 256 << 20
"""At most this much of rendered files is kept (the newest version always): at 100,000
items one version of every format is about 100 MiB."""
_cache: OrderedDict[tuple[object, ...], Rendered] = OrderedDict()
_cache_lock = threading.Lock()


def render(
    version: ListVersion, items: Sequence[Item], formats: Sequence[MeasureFormat], signer: Signer
) -> Rendered:
    """The files of each format and the signed manifest naming them.

    A version's files are a function of its number, time and digest (Ed25519 signatures
    are deterministic too), so the last :data:`CACHED_VERSIONS` renderings (within
    :data:`CACHED_BYTES`) are kept in this process: sensors pulling an unchanged list
    are served without writing it again.
    """
    key = (
        version.org_id,
        version.subscription,
        version.version,
        version.digest,
        version.created_at,
        tuple(formats),
        signer.key_id,
    )
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    rendered = _render(version, items, formats, signer)
    with _cache_lock:
        _cache[key] = rendered
        while len(_cache) > CACHED_VERSIONS or (len(_cache) > 1 and _held_bytes() > CACHED_BYTES):
            _cache.popitem(last=False)
    return rendered


def _held_bytes() -> int:
    return sum(len(content) for files, _ in _cache.values() for content in files.values())


def _render(
    version: ListVersion, items: Sequence[Item], formats: Sequence[MeasureFormat], signer: Signer
) -> Rendered:
    context = BuildContext(
        version.org_id, version.subscription, version.version, version.created_at
    )
    with shared(items):  # one look-up per item for all the writers
        files = {fmt: WRITERS[fmt].write(items, context) for fmt in sorted(formats)}
    body = {
        "schema": MANIFEST_SCHEMA,
        "member": version.org_id,
        "subscription": version.subscription,
        "version": version.version,
        "created": context.stamp,
        "digest": version.digest,
        "counts": version.counts,
        "files": {WRITERS[fmt].file_name: file_entry(content) for fmt, content in files.items()},
    }
    return files, _sign(body, signer)


def etag_of(content: bytes) -> str:
    """A strong ETag: the content's SHA-256 (first 32 hex digits), quoted."""
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def etag_from(entry: dict[str, Any]) -> str:
    """The ETag of a file from its manifest entry (the same as :func:`etag_of` of the file,
    without hashing megabytes twice)."""
    return '"' + str(entry["sha256"])[:32] + '"'


__all__ = ["MANIFEST_FILE", "ListBuild", "counts_of", "digest_of", "etag_from", "etag_of", "render"]
