"""MISP feed directories: reading with integrity, signatures and incremental sync (M1–M3,
M23), and writing with a sha256 manifest, ``hashes.csv`` and optional signatures (M16–M18).

A feed is ``manifest.json`` (event uuid → summary with ``timestamp``), one ``<uuid>.json``
per event and ``hashes.csv`` (md5 of each value, event uuid). Shieldwall adds
``"integrity": {"sha256": …}`` to each manifest entry — MISP ignores unknown keys — and,
when signing, ``<file>.asc`` detached signatures beside the manifest and each event.

Reading is incremental: the caller passes the ``(uuid → timestamp)`` it already holds
and gets only newer events, oldest first, at most a pull's worth; it records each event
it applied, so a pull cut short resumes where it stopped. A bad event is yielded as a
problem and the pull goes on; a bad manifest or a bad manifest signature stops it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from shieldwall.model.errors import InputError, IntegrityError
from shieldwall.share.misp.fields import Where, timestamp, uuid_text
from shieldwall.share.misp.importer import unwrap_event
from shieldwall.share.misp.limits import MispLimits, load_json
from shieldwall.share.misp.signature import PgpVerifier

MANIFEST = "manifest.json"
HASHES = "hashes.csv"


@dataclass(frozen=True, slots=True)
class FeedOptions:
    """How strictly to read a feed."""

    limits: MispLimits = field(default_factory=MispLimits)
    verifier: PgpVerifier | None = None
    require_signature: bool = False
    require_integrity: bool = False


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One event of a pull: the parsed document, or the problem that kept it out."""

    uuid: str
    timestamp: int
    event: dict[str, Any] | None = None
    problem: InputError | IntegrityError | None = None


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """What the manifest says about one event."""

    uuid: str
    timestamp: int
    sha256: str | None


def read_manifest(directory: Path, options: FeedOptions) -> list[ManifestEntry]:
    """The manifest's entries, oldest first (ties by uuid), signature checked."""
    path = directory / MANIFEST
    data = _read_limited(path, options.limits.max_manifest_bytes)
    _check_signature(path, data, options)
    document = load_json(
        data,
        source=str(path),
        max_bytes=options.limits.max_manifest_bytes,
        max_depth=options.limits.max_depth,
    )
    if not isinstance(document, dict):
        raise InputError("the manifest must be a JSON object", source=str(path))
    entries = [_entry(key, value, str(path)) for key, value in document.items()]
    return sorted(entries, key=lambda e: (e.timestamp, e.uuid))


def _entry(key: str, value: Any, source: str) -> ManifestEntry:
    where = Where(source, key[:64])
    if not isinstance(value, dict):
        raise where.error("manifest entry is not an object")
    event_uuid = uuid_text({"uuid": key}, "uuid", where)
    integrity = value.get("integrity")
    digest = integrity.get("sha256") if isinstance(integrity, dict) else None
    if digest is not None and not (isinstance(digest, str) and len(digest) == 64):
        raise where.at("integrity").error("sha256 must be 64 hex digits")
    return ManifestEntry(event_uuid, timestamp(value, "timestamp", where), digest)


def read_feed(
    directory: Path, *, known: Mapping[str, int] | None = None, options: FeedOptions | None = None
) -> Iterator[FeedItem]:
    """Events of the feed newer than ``known`` (uuid → timestamp held), oldest first.

    Stops after ``max_events_per_pull`` events or ``max_bytes_per_pull`` bytes; the next
    pull, with the updated ``known``, continues from there.
    """
    options = options or FeedOptions()
    held = known or {}
    spent_bytes = 0
    count = 0
    for entry in read_manifest(directory, options):
        if held.get(entry.uuid, -1) >= entry.timestamp:
            continue  # M3: same or older timestamp is not an update
        if count >= options.limits.max_events_per_pull:
            return
        if spent_bytes >= options.limits.max_bytes_per_pull:
            return
        item, size = _read_event(directory, entry, options)
        spent_bytes += size
        count += 1
        yield item


def _read_event(
    directory: Path, entry: ManifestEntry, options: FeedOptions
) -> tuple[FeedItem, int]:
    path = directory / f"{entry.uuid}.json"
    try:
        data = _read_limited(path, options.limits.max_event_bytes)
        _check_integrity(path, data, entry, options)
        _check_signature(path, data, options)
        document = load_json(
            data,
            source=str(path),
            max_bytes=options.limits.max_event_bytes,
            max_depth=options.limits.max_depth,
        )
        _check_matches(path, document, entry)
    except (InputError, IntegrityError) as error:
        return FeedItem(entry.uuid, entry.timestamp, problem=error), 0
    return FeedItem(entry.uuid, entry.timestamp, event=document), len(data)


def _read_limited(path: Path, limit: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(f"{size} bytes exceeds the limit of {limit}", source=str(path))
        with path.open("rb") as handle:
            return handle.read(limit + 1)
    except FileNotFoundError:
        raise InputError("file is missing", source=str(path)) from None
    except OSError as error:
        raise InputError(f"cannot be read: {error.strerror}", source=str(path)) from None


def _check_integrity(path: Path, data: bytes, entry: ManifestEntry, options: FeedOptions) -> None:
    if entry.sha256 is None:
        if options.require_integrity:
            raise IntegrityError(f"{path}: the manifest gives no sha256 for this event")
        return
    if hashlib.sha256(data).hexdigest() != entry.sha256.lower():
        raise IntegrityError(f"{path}: sha256 does not match the manifest")


def _check_signature(path: Path, data: bytes, options: FeedOptions) -> None:
    signature_path = path.with_name(path.name + ".asc")
    if not signature_path.is_file():
        if options.require_signature:
            raise IntegrityError(f"{path}: no PGP signature ({signature_path.name})")
        return
    if options.verifier is None:
        if options.require_signature:
            raise IntegrityError(f"{path}: signed, but no keyring is configured")
        return
    signature = _read_limited(signature_path, 64 * 1024)
    options.verifier.verify(data, signature, name=str(path))


def _check_matches(path: Path, document: Any, entry: ManifestEntry) -> None:
    event = unwrap_event(document, source=str(path))
    where = Where(str(path), "Event")
    if uuid_text(event, "uuid", where) != entry.uuid:
        raise where.at("uuid").error("event uuid differs from its manifest entry")
    if timestamp(event, "timestamp", where) != entry.timestamp:
        raise where.at("timestamp").error("event timestamp differs from its manifest entry")


class Signer(Protocol):
    """Makes a detached signature (see :class:`~.signature.PgpSigner`)."""

    def sign(self, data: bytes) -> bytes:
        """The signature of ``data``."""
        ...


def export_feed(
    events: Iterable[Mapping[str, Any]],
    directory: Path,
    *,
    signer: Signer | None = None,
    reveal_org_names: bool = False,
) -> dict[str, int]:
    """Write a complete feed of these events into ``directory``; returns uuid → timestamp.

    The events come from :func:`stix_to_misp_event` for this feed's audience (M16). An
    event already in the directory keeps its uuid; if its content changed but its
    timestamp did not move forward, the timestamp is bumped so pullers see the change
    (M18). Sighting organisations are removed unless the feed may name them (M17). Event
    files no longer in the feed are deleted, so the manifest is the whole feed.
    """
    directory.mkdir(parents=True, exist_ok=True)
    previous = _previous_manifest(directory)
    manifest: dict[str, Any] = {}
    hashes: list[str] = []
    for document in events:
        event = _prepared(document, directory, previous, reveal_org_names)
        data = _canonical({"Event": event})
        _write(directory / f"{event['uuid']}.json", data, signer)
        manifest[event["uuid"]] = _manifest_entry(event, data)
        hashes.extend(f"{digest},{event['uuid']}" for digest in value_hashes(event))
    for stale in set(previous) - set(manifest):
        for suffix in (".json", ".json.asc"):
            (directory / f"{stale}{suffix}").unlink(missing_ok=True)
    _write(directory / MANIFEST, _canonical(manifest), signer)
    _write(directory / HASHES, "".join(f"{line}\n" for line in hashes).encode(), None)
    return {key: int(value["timestamp"]) for key, value in manifest.items()}


def _previous_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        return {}
    found = load_json(path.read_bytes(), source=str(path), max_bytes=1 << 30, max_depth=16)
    return found if isinstance(found, dict) else {}


def _prepared(
    document: Mapping[str, Any], directory: Path, previous: Mapping[str, Any], reveal: bool
) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(json.dumps(unwrap_event(dict(document), source="export")))
    if not reveal:
        for attribute in _all_attributes(event):
            for sighting in attribute.get("Sighting", ()):
                sighting.pop("Organisation", None)
    old = previous.get(event["uuid"])
    if isinstance(old, dict):
        old_path = directory / f"{event['uuid']}.json"
        old_event = json.loads(old_path.read_bytes()).get("Event", {}) if old_path.is_file() else {}
        old_stamp = int(old.get("timestamp", 0))
        changed = _without_timestamp(old_event) != _without_timestamp(event)
        if changed and int(event["timestamp"]) <= old_stamp:
            event["timestamp"] = str(old_stamp + 1)
    return event


def _without_timestamp(event: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in event.items() if key != "timestamp"}


def _all_attributes(event: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    yield from event.get("Attribute", ())
    for obj in event.get("Object", ()):
        yield from obj.get("Attribute", ())


def value_hashes(event: Mapping[str, Any]) -> list[str]:
    """md5 of every attribute value (each part of a composite), as ``hashes.csv`` holds."""
    found: list[str] = []
    for attribute in _all_attributes(event):
        value = str(attribute.get("value", ""))
        composite = (
            "|" in str(attribute.get("type", "")) or attribute.get("type") == "malware-sample"
        )
        for part in value.split("|") if composite else [value]:
            found.append(hashlib.md5(part.encode(), usedforsecurity=False).hexdigest())
    return found


def _manifest_entry(event: Mapping[str, Any], data: bytes) -> dict[str, Any]:
    return {
        "Orgc": event.get("Orgc", {}),
        "Tag": [tag for tag in event.get("Tag", ()) if not tag.get("local")],
        "info": event.get("info", ""),
        "date": event.get("date", ""),
        "analysis": event.get("analysis", "2"),
        "threat_level_id": event.get("threat_level_id", "4"),
        "timestamp": event["timestamp"],
        "integrity": {"sha256": hashlib.sha256(data).hexdigest()},
    }


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _write(path: Path, data: bytes, signer: Signer | None) -> None:
    """Write through a temporary file and rename, so a reader never sees half a file."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
    signature = path.with_name(path.name + ".asc")
    if signer is None:
        signature.unlink(missing_ok=True)  # a stale signature would no longer verify
        return
    pending = signature.with_name(f".{signature.name}.tmp")
    pending.write_bytes(signer.sign(data))
    pending.replace(signature)
