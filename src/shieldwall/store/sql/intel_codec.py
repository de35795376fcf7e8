"""Row <-> value conversion for the intelligence tables.

Sets of ids are stored as ``,a,b,`` text: the delimiters on both ends make
``LIKE '%,a,%'`` an exact membership test, and the empty set is the empty string.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any

from shieldwall.model.intel import Audience, RevocationRecord, StoredVersion
from shieldwall.model.sharing import ADDRESSEE_FIELDS, Addressees

LIKE_ESCAPE = "\\"


def encode_set(values: Iterable[str]) -> str:
    """``{"b", "a"}`` -> ``",a,b,"``; empty -> ``""``."""
    ordered = sorted(set(values))
    return f",{','.join(ordered)}," if ordered else ""


def decode_set(text: str | None) -> frozenset[str]:
    """The inverse of :func:`encode_set` (None stays an empty set)."""
    if not text or text == ",":  # most addressee columns of most rows: read per row
        return _EMPTY
    return frozenset(part for part in text.split(",") if part)


_EMPTY: frozenset[str] = frozenset()


def member_pattern(value: str) -> str:
    """A LIKE pattern matching an encoded set that contains ``value``."""
    escaped = value.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")
    return f"%,{escaped},%"


_NO_LIMIT = frozenset(f.name for f in fields(Addressees) if f.default is None)
"""Addressee fields where None means "no limit", so an empty set must stay distinct (",")."""


def audience_values(audience: Audience) -> dict[str, Any]:
    """Column values for an audience (shared by objects and revocations)."""
    values: dict[str, Any] = {
        "producer_org_id": audience.producer_org_id,
        "tlp": audience.tlp,
        "marking_refs": encode_set(audience.marking_refs),
    }
    for name in ADDRESSEE_FIELDS:
        value = getattr(audience, name)
        empty = "," if name in _NO_LIMIT else ""
        values[name] = None if value is None else encode_set(value) or empty
    return values


def audience_of(row: Any) -> Audience:
    """The audience stored in a row of intel_objects or intel_revocations."""
    addressees: dict[str, Any] = {}
    for name in ADDRESSEE_FIELDS:
        raw = getattr(row, name)
        addressees[name] = None if raw is None and name in _NO_LIMIT else decode_set(raw)
    return Audience(
        producer_org_id=row.producer_org_id,
        tlp=row.tlp,
        marking_refs=tuple(sorted(decode_set(row.marking_refs))),
        **addressees,
    )


_AUDIENCE_COLUMNS = ("producer_org_id", "tlp", "marking_refs", *ADDRESSEE_FIELDS)


class AudienceReader:
    """:func:`audience_of` for many rows of one read, each distinct audience decoded once.

    Rows of a read mostly share a handful of audiences (one producer, one marking); the
    audience is a function of these columns, so the cache is exact.
    """

    def __init__(self) -> None:
        self._seen: dict[tuple[Any, ...], Audience] = {}

    def __call__(self, row: Any) -> Audience:
        """The row's audience, as :func:`audience_of` gives it."""
        key = tuple(getattr(row, name) for name in _AUDIENCE_COLUMNS)
        found = self._seen.get(key)
        if found is None:
            found = self._seen[key] = audience_of(row)
        return found


def version_of(row: Any, audience: Audience | None = None) -> StoredVersion:
    """A stored version from an intel_objects row (``audience``: the row's, when the
    caller already read it)."""
    return StoredVersion(
        seq=row.seq,
        stix_id=row.stix_id,
        stix_type=row.stix_type,
        version=row.version,
        spec_version=row.spec_version,
        date_added=row.date_added,
        audience=audience_of(row) if audience is None else audience,
        body=row.body,
        refs=tuple(ref for ref in row.refs.split(" ") if ref),
        is_latest=row.is_latest,
        is_first=row.is_first,
    )


def revocation_of(row: Any) -> RevocationRecord:
    """A revocation from an intel_revocations row."""
    return RevocationRecord(
        seq=row.seq,
        at=row.at,
        stix_id=row.stix_id,
        reason=row.reason,
        audience=audience_of(row),
        version=row.version,
    )


class AudienceCodec:
    """Each distinct audience of a batch encoded, and read back, once.

    A batch's objects mostly share one audience (one submitter, one addressing); encoding
    and decoding it per row cost as much as the insert itself. The columns are a function
    of the audience and the value read back a function of the columns, so caching both is
    exact: rows and stored versions are what the per-row round trip gave.
    """

    def __init__(self) -> None:
        self._coded: dict[Audience, tuple[dict[str, Any], Audience]] = {}

    def coded(self, audience: Audience) -> tuple[dict[str, Any], Audience]:
        """The audience's column values, and the audience a read of them gives back."""
        found = self._coded.get(audience)
        if found is None:
            columns = audience_values(audience)
            found = self._coded[audience] = (columns, audience_of(AttrRow(columns)))
        return found


class AttrRow:
    """Attribute access over a dict, so inserted rows convert like fetched ones."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.__dict__.update(values)
