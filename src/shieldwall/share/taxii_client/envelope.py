"""Parsing what a remote TAXII 2.1 server sends: envelopes and status resources.

A remote server is untrusted input. Whatever bytes arrive, these parsers either return a
value or raise :class:`~shieldwall.model.errors.InputError` naming the feed (``source``)
and the place (``place``: the response, then the JSON path such as ``objects[3].id``).
A malformed object inside an otherwise good envelope does not fail the page: it is
returned in :attr:`Envelope.rejected` with its reason, and the rest go on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shieldwall.model.errors import InputError

MAX_ID_LENGTH = 256
MAX_TIMESTAMP_LENGTH = 40


@dataclass(frozen=True, slots=True)
class Rejected:
    """An object of the page that could not be taken, and why."""

    place: str
    reason: str


@dataclass(frozen=True, slots=True)
class Envelope:
    """One page of a collection's objects."""

    objects: tuple[dict[str, Any], ...]
    rejected: tuple[Rejected, ...]
    more: bool
    next: str | None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def load_json(body: bytes, *, source: str, place: str) -> Any:
    """Decode JSON strictly (no NaN/Infinity); any failure becomes an InputError."""
    try:
        return json.loads(body, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise InputError("JSON nested too deeply", source=source, place=place) from exc
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise InputError(f"not valid JSON: {exc}", source=source, place=place) from exc


def _mapping(value: Any, *, source: str, place: str, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"{what} must be a JSON object", source=source, place=place)
    return value


def _optional(document: Mapping[str, Any], key: str, kind: type, *, source: str, place: str) -> Any:
    value = document.get(key)
    if value is not None and not isinstance(value, kind):
        raise InputError(f"{key} must be a {kind.__name__}", source=source, place=f"{place}.{key}")
    return value


def _object_problem(obj: Any) -> str | None:
    """Why a listed object cannot be ingested, or None when it can."""
    if not isinstance(obj, dict):
        return "not a JSON object"
    for key in ("type", "id"):
        value = obj.get(key)
        if not isinstance(value, str) or not value or len(value) > MAX_ID_LENGTH:
            return f"{key} missing or not a short string"
    if not obj["id"].startswith(obj["type"] + "--"):
        return "id does not start with its type"
    for key in ("modified", "created"):
        value = obj.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > MAX_TIMESTAMP_LENGTH):
            return f"{key} is not a timestamp string"
    return None


def parse_envelope(body: bytes, *, source: str, place: str) -> Envelope:
    """Parse a TAXII 2.1 envelope; bad objects are rejected one by one, not the page."""
    document = _mapping(
        load_json(body, source=source, place=place), source=source, place=place, what="envelope"
    )
    listed = _optional(document, "objects", list, source=source, place=place) or []
    more = bool(_optional(document, "more", bool, source=source, place=place))
    token = _optional(document, "next", str, source=source, place=place)
    objects: list[dict[str, Any]] = []
    rejected: list[Rejected] = []
    for index, obj in enumerate(listed):
        problem = _object_problem(obj)
        if problem is None:
            objects.append(obj)
        else:
            rejected.append(Rejected(place=f"{place}.objects[{index}]", reason=problem))
    return Envelope(tuple(objects), tuple(rejected), more, token or None)


@dataclass(frozen=True, slots=True)
class StatusDetail:
    """One object's outcome in a status resource."""

    id: str
    version: str
    message: str


@dataclass(frozen=True, slots=True)
class Status:
    """A TAXII 2.1 status resource: how far the server got with an add request."""

    id: str
    status: str
    total_count: int
    success_count: int
    failure_count: int
    pending_count: int
    successes: tuple[StatusDetail, ...]
    failures: tuple[StatusDetail, ...]
    pendings: tuple[StatusDetail, ...]

    @property
    def complete(self) -> bool:
        """True once the server has finished with every object."""
        return self.status == "complete"


STATUS_STATES = ("pending", "complete")


def _count(document: Mapping[str, Any], key: str, *, source: str, place: str) -> int:
    value = document.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InputError(
            f"{key} must be a non-negative integer", source=source, place=f"{place}.{key}"
        )
    return value


def _details(
    document: Mapping[str, Any], key: str, *, source: str, place: str
) -> tuple[StatusDetail, ...]:
    listed = _optional(document, key, list, source=source, place=place) or []
    details: list[StatusDetail] = []
    for index, item in enumerate(listed):
        where = f"{place}.{key}[{index}]"
        entry = _mapping(item, source=source, place=where, what="status detail")
        ident = _optional(entry, "id", str, source=source, place=where)
        if not ident:
            raise InputError("id must be a non-empty string", source=source, place=f"{where}.id")
        version = _optional(entry, "version", str, source=source, place=where) or ""
        message = _optional(entry, "message", str, source=source, place=where) or ""
        details.append(StatusDetail(ident, version, message))
    return tuple(details)


def parse_status(body: bytes, *, source: str, place: str) -> Status:
    """Parse a TAXII 2.1 status resource."""
    document = _mapping(
        load_json(body, source=source, place=place), source=source, place=place, what="status"
    )
    ident = _optional(document, "id", str, source=source, place=place)
    state = _optional(document, "status", str, source=source, place=place)
    if not ident:
        raise InputError("id must be a non-empty string", source=source, place=f"{place}.id")
    if state not in STATUS_STATES:
        raise InputError(
            "status must be pending or complete", source=source, place=f"{place}.status"
        )
    counts = {
        key: _count(document, key, source=source, place=place)
        for key in ("total_count", "success_count", "failure_count", "pending_count")
    }
    return Status(
        id=ident,
        status=state,
        successes=_details(document, "successes", source=source, place=place),
        failures=_details(document, "failures", source=source, place=place),
        pendings=_details(document, "pendings", source=source, place=place),
        **counts,
    )
