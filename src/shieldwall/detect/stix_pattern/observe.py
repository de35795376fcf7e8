"""A normalised event as one STIX observation: the cyber observables its fields name.

Events keep their source's field names (Sysmon/Windows, dotted ECS, Zeek, Suricata EVE;
see :mod:`shieldwall.detect.watchlist_fields`). The tables below say which of them give
which observable; each event becomes one observation at its event time, with:

- ``ipv4-addr``/``ipv6-addr`` ``value`` for every address field;
- ``network-traffic`` with ``src_ref``/``dst_ref`` (to those addresses), ``src_port``,
  ``dst_port`` and ``protocols`` when the event names a source or destination;
- ``domain-name``, ``url``, ``email-addr`` ``value``;
- ``file`` with ``name`` (the last path component) and ``hashes`` (``MD5``, ``SHA-1``,
  ``SHA-256``, ``SHA-512``);
- ``process`` with ``name``, ``command_line``, ``pid`` and ``image_ref`` (its file);
- ``user-account`` ``user_id``.

Values are kept as the event gives them (STIX comparisons are case-sensitive); a field
not named here is never looked at.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from shieldwall.detect.watchlist_fields import FIELD_KINDS, split_hashes

SOURCE_IP = ("SourceIp", "SourceAddress", "source.ip", "client.ip", "id.orig_h", "src_ip")
DEST_IP = ("DestinationIp", "DestAddress", "destination.ip", "server.ip", "id.resp_h", "dest_ip")
SOURCE_PORT = ("SourcePort", "source.port", "client.port", "id.orig_p", "src_port")
DEST_PORT = ("DestinationPort", "destination.port", "server.port", "id.resp_p", "dest_port")
PROTOCOL = ("Protocol", "network.transport", "proto")
COMMAND_LINE = ("CommandLine", "process.command_line", "cmdline")
PROCESS_ID = ("ProcessId", "process.pid", "pid")
IMAGE = ("Image", "process.executable", "process.name")
USER = ("User", "TargetUserName", "SubjectUserName", "user.name", "user.id", "username")
HASH_NAMES = {"MD5": "MD5", "SHA1": "SHA-1", "SHA-1": "SHA-1", "SHA256": "SHA-256",
              "SHA-256": "SHA-256", "SHA512": "SHA-512"}  # fmt: skip
_LENGTH_NAMES = {32: "MD5", 40: "SHA-1", 64: "SHA-256", 128: "SHA-512"}

Objects = dict[str, dict[str, Any]]


def _texts(value: object) -> Iterator[str]:
    if isinstance(value, str):
        if value.strip():
            yield value.strip()
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _first(fields: Mapping[str, object], names: tuple[str, ...]) -> object | None:
    for name in names:
        value = fields.get(name)
        if value not in (None, "", []):
            return value
    return None


class _Builder:
    """Objects numbered ``"0"``, ``"1"``…, one per distinct observable."""

    def __init__(self) -> None:
        self.objects: Objects = {}
        self._ids: dict[tuple[str, str], str] = {}
        self.first_file: str | None = None

    def add(self, kind: str, key: str, body: dict[str, Any]) -> str:
        known = self._ids.get((kind, key))
        if known is not None:
            self.objects[known].update(body)
            return known
        ident = str(len(self.objects))
        self.objects[ident] = {"type": kind, **body}
        self._ids[(kind, key)] = ident
        return ident

    def address(self, text: str) -> str:
        kind = "ipv6-addr" if ":" in text else "ipv4-addr"
        return self.add(kind, text, {"value": text})


def observation(fields: Mapping[str, object]) -> Objects:
    """The observables of one event (empty when it names none)."""
    built = _Builder()
    for name, kind in FIELD_KINDS.items():
        if name in fields and kind not in {"hash", "hashes"}:
            _simple(built, kind, fields[name])
    for name, kind in FIELD_KINDS.items():  # digests go to the file named first, if any
        if name in fields and kind in {"hash", "hashes"}:
            for text in _texts(fields[name]):
                _hashes(built, text)
    _traffic(built, fields)
    _process(built, fields)
    for user in _texts(_first(fields, USER)):
        built.add("user-account", user, {"user_id": user})
    return built.objects


def _simple(built: _Builder, kind: str, value: object) -> None:
    for text in _texts(value):
        if kind == "ip":
            built.address(text)
        elif kind in {"domain", "url"}:
            built.add("domain-name" if kind == "domain" else "url", text, {"value": text})
        elif kind == "email":
            built.add("email-addr", text, {"value": text})
        elif kind == "file-name":
            _file(built, text)


def _hashes(built: _Builder, text: str) -> None:
    found: dict[str, str] = {}
    if "=" in text:
        for part in text.split(","):
            label, _, digest = part.partition("=")
            label = HASH_NAMES.get(label.strip().upper(), "")
            if label and digest.strip():
                found[label] = digest.strip()
    else:
        for digest in split_hashes(text):
            label = _LENGTH_NAMES.get(len(digest), "")
            if label:
                found[label] = digest
    if found:
        ident = built.first_file or built.add("file", "", {})
        built.objects[ident].setdefault("hashes", {}).update(found)


def _file(built: _Builder, path: str) -> str | None:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    if not name:
        return None
    ident = built.add("file", name, {"name": name})
    built.first_file = built.first_file or ident
    return ident


def _traffic(built: _Builder, fields: Mapping[str, object]) -> None:
    source = next(_texts(_first(fields, SOURCE_IP)), None)
    dest = next(_texts(_first(fields, DEST_IP)), None)
    if source is None and dest is None:
        return
    body: dict[str, Any] = {}
    if source is not None:
        body["src_ref"] = built.address(source)
    if dest is not None:
        body["dst_ref"] = built.address(dest)
    for key, names in (("src_port", SOURCE_PORT), ("dst_port", DEST_PORT)):
        port = _port(_first(fields, names))
        if port is not None:
            body[key] = port
    protocols = [p.lower() for p in _texts(_first(fields, PROTOCOL))]
    if protocols:
        body["protocols"] = protocols
    built.add("network-traffic", "flow", body)


def _port(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= 65535 else None
    if isinstance(value, str) and value.strip().isdigit():
        return _port(int(value.strip()))
    return None


def _process(built: _Builder, fields: Mapping[str, object]) -> None:
    image = next(_texts(_first(fields, IMAGE)), None)
    command = next(_texts(_first(fields, COMMAND_LINE)), None)
    if image is None and command is None:
        return
    body: dict[str, Any] = {}
    if command is not None:
        body["command_line"] = command
    if image is not None:
        file_ref = _file(built, image)
        if file_ref is not None:
            body["name"] = built.objects[file_ref]["name"]
            body["image_ref"] = file_ref
    pid = _port(_first(fields, PROCESS_ID))
    if pid is not None:
        body["pid"] = pid
    built.add("process", "process", body)
