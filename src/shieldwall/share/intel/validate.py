"""Validating one inbound STIX 2.1 object with the OASIS libraries, and naming why not.

``stix2.parse`` checks the object against the STIX 2.1 object model (required properties,
types, id shape, timestamps, vocabularies it enforces). An indicator's STIX 2.1 pattern is
read once, by :mod:`.pattern_read` (``stix2-patterns``' own checks, and a faster path for
plain one-comparison patterns, both held to the library by tests), and what it compares is
indexed from that one reading. On top of that: pinned TLP marking definitions must carry
exactly their canonical content (the libraries accept a tampered TLP 2.0 definition), and
the object's version is determined here. Everything costly in a write happens here, before
the write transaction opens.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import stix2
import stix2.exceptions

from shieldwall.model.errors import InputError
from shieldwall.model.intel import IndexTerm
from shieldwall.policy.markings import check_marking_definition
from shieldwall.share.intel.extract import index_terms, references
from shieldwall.share.intel.object_check import is_plain_indicator
from shieldwall.share.intel.pattern_budget import PatternBudget
from shieldwall.share.intel.pattern_check import is_plain_pattern
from shieldwall.share.intel.pattern_read import Comparison, PatternError, read_pattern
from shieldwall.share.intel.stix_ids import reference_errors
from shieldwall.share.intel.stix_values import value_errors
from shieldwall.share.intel.upgrade import upgraded

MAX_OBJECT_BYTES = 1_000_000
"""A single object larger than this is refused (a whole envelope has its own limit)."""

_CHECKED_PATTERN = "x-shieldwall-pattern-checked"
"""Stands in for ``stix`` in the copy given to the library once the pattern is checked."""
_LIBRARY_ERRORS = (stix2.exceptions.STIXError, ValueError, TypeError, KeyError, AttributeError)
"""What stix2.parse raises on bad input (its own tree plus what slips through from below)."""


@dataclass(frozen=True, slots=True)
class ValidObject:
    """An object that passed validation, with the facts the store needs."""

    obj: dict[str, Any]
    stix_id: str
    stix_type: str
    version: datetime | None
    """``modified``, else ``created``, else None (the store's date_added becomes it)."""
    version_text: str
    spec_version: str
    body: str
    refs: tuple[str, ...] = ()
    """Every id the object references (:func:`.extract.references`)."""
    terms: tuple[IndexTerm, ...] = ()
    """What the object is indexed by (:func:`.extract.index_terms`)."""


def validate(
    candidate: Any, *, source: str = "", place: str = "", budget: PatternBudget | None = None
) -> ValidObject:
    """The object, checked; InputError naming the object and the reason otherwise.

    ``budget`` is the request's pattern budget (:mod:`.pattern_budget`); without one, an
    indicator is held to the limits of one pattern only.
    """
    if not isinstance(candidate, dict):
        raise InputError("not a JSON object", source=source, place=place)
    ident = candidate.get("id")
    where = ident if isinstance(ident, str) and ident else place
    if candidate.get("type") == "bundle":
        raise InputError("a bundle is not a STIX object; send its objects", source=source)
    candidate = upgraded(candidate)  # STIX 2.0 is stored and served as its 2.1 form only
    for problem in (*reference_errors(candidate), *value_errors(candidate)):
        raise InputError(problem, source=source, place=where)
    body = orjson.dumps(candidate).decode()
    if len(body) > MAX_OBJECT_BYTES:
        raise InputError(f"object larger than {MAX_OBJECT_BYTES} bytes", source=source, place=where)
    given, comparisons = _for_library(candidate, budget or PatternBudget(), source, where)
    if given is candidate or not is_plain_indicator(candidate):
        _check_with_library(given, source, where)
    if candidate.get("type") == "marking-definition":
        check_marking_definition(candidate, source=source)
    version_text = _version_text(candidate)
    try:
        version = parse_timestamp(version_text) if version_text else None
    except ValueError as exc:
        raise InputError(str(exc), source=source, place=where) from exc
    return ValidObject(
        obj=candidate,
        stix_id=str(ident),
        stix_type=str(candidate["type"]),
        version=version,
        version_text=version_text,
        spec_version=str(candidate.get("spec_version", "2.1")),
        body=body,
        refs=references(candidate),
        terms=index_terms(candidate, comparisons),
    )


def _check_with_library(given: dict[str, Any], source: str, where: str) -> None:
    try:
        stix2.parse(given, allow_custom=True, version="2.1")
    except RecursionError as exc:
        raise InputError("nested too deeply to check", source=source, place=where) from exc
    except _LIBRARY_ERRORS as exc:
        raise InputError(_reason(exc), source=source, place=where) from exc


def validate_all(
    objects: Sequence[Any], *, source: str = "", first_index: int = 0
) -> list[ValidObject | InputError]:
    """Each object checked on its own, under one pattern budget for the whole request.

    This is the costly part of a write (the OASIS libraries); callers run it before they
    open the write transaction, so no member's parsing holds the others' writes back.
    ``first_index`` is the place of the first object in the request, when ``objects`` is
    a part of it, so every refusal still names its object's place in what was sent.
    """
    budget = PatternBudget()
    checked: list[ValidObject | InputError] = []
    for index, candidate in enumerate(objects, start=first_index):
        try:
            checked.append(
                validate(candidate, source=source, place=f"objects[{index}]", budget=budget)
            )
        except InputError as exc:
            checked.append(exc)
    return checked


def _for_library(
    candidate: dict[str, Any], budget: PatternBudget, source: str, where: str
) -> tuple[dict[str, Any], tuple[Comparison, ...] | None]:
    """What ``stix2.parse`` is given, and the pattern's comparisons for an indicator.

    A STIX 2.1 pattern is charged to the request's budget (plain ones cost nothing), read
    once here, and not parsed again by the library. Patterns of other versions are left
    to the library, which checks them by their own grammar.
    """
    if candidate.get("type") != "indicator" or candidate.get("pattern_type") != "stix":
        return candidate, None
    pattern = candidate.get("pattern")
    if not isinstance(pattern, str):
        return candidate, None
    if not pattern.strip():  # the library fails on an empty pattern instead of refusing it
        reason = "Invalid value for Indicator 'pattern': the pattern is empty"
        raise InputError(reason, source=source, place=where)
    plain = is_plain_pattern(pattern)
    if not plain:
        budget.spend(pattern, source=source, place=where)
    if candidate.get("pattern_version", "2.1") != "2.1":
        return candidate, _comparisons_if_any(pattern)
    try:
        comparisons = read_pattern(pattern)
    except PatternError as exc:
        reason = f"Invalid value for Indicator 'pattern': {exc}"
        raise InputError(_reason(ValueError(reason)), source=source, place=where) from exc
    return {**candidate, "pattern_type": _CHECKED_PATTERN}, comparisons


def _comparisons_if_any(pattern: str) -> tuple[Comparison, ...]:
    """What a pattern of another version compares, as far as the 2.1 grammar reads it."""
    try:
        return read_pattern(pattern)
    except PatternError:
        return ()


def _version_text(obj: Mapping[str, Any]) -> str:
    for key in ("modified", "created"):
        value = obj.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def parse_timestamp(text: str) -> datetime:
    """A STIX/TAXII timestamp (``2024-01-01T00:00:00.123Z``) as an aware UTC datetime.

    Precision beyond microseconds is dropped: versions are compared at microseconds.
    """
    value = text.strip()
    if not value.endswith(("Z", "z")):
        raise ValueError(f"timestamp {text!r} is not UTC (must end in Z)")
    main, _, fraction = value[:-1].partition(".")
    digits = (fraction + "000000")[:6] if fraction else "000000"
    if fraction and not fraction.isdigit():
        raise ValueError(f"timestamp {text!r} has a malformed fraction")
    return _seconds(main).replace(microsecond=int(digits), tzinfo=UTC)


def _seconds(main: str) -> datetime:
    """``YYYY-MM-DDTHH:MM:SS`` read directly when it has exactly that shape (every object
    posted carries two or three, and strptime is the slow part); other shapes as before."""
    if (
        len(main) == 19
        and main[4] == main[7] == "-"
        and main[10] == "T"
        and main[13] == main[16] == ":"
    ):
        parts = (main[0:4], main[5:7], main[8:10], main[11:13], main[14:16], main[17:19])
        if all(part.isascii() and part.isdigit() for part in parts):
            year, month, day, hour, minute, second = (int(part) for part in parts)
            return datetime(year, month, day, hour, minute, second)  # ValueError out of range
    return datetime.strptime(main, "%Y-%m-%dT%H:%M:%S")


def format_timestamp(moment: datetime) -> str:
    """UTC with microseconds and ``Z``: the one form every emitted timestamp takes (T10)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:500] if text else type(exc).__name__
