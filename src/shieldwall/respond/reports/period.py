"""Which 24 hours a SITREP covers, read from what a person types (``--date``, ``date=``).

A calendar day (``2026-12-07``) means that day, 00:00 to 24:00 UTC: the daily report of
that day. A moment (``2026-12-07T06:00:00Z``, an offset, or none meaning UTC) means the 24
hours ending then, for a report made at a shift change. Nothing given: the 24 hours
ending now. Anything else is an :class:`InputError` naming the parameter.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from shieldwall.model.errors import InputError
from shieldwall.respond.reports.content import Period

DAY = timedelta(hours=24)
MAX_TEXT = 40
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_MOMENT = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?", re.ASCII
)
HINT = "give a day (2026-12-07) or a moment (2026-12-07T06:00:00Z)"


def period_of(text: str | None, now: datetime, *, place: str = "date") -> Period:
    """The period named by ``text`` (None or empty: the 24 hours ending at ``now``)."""
    if not text:
        return _ending(now)
    if len(text) > MAX_TEXT:
        raise InputError(HINT, place=place)
    if _DAY.fullmatch(text):
        return _day(text, place)
    if _MOMENT.fullmatch(text):
        return _moment(text, place)
    raise InputError(HINT, place=place)


def _day(text: str, place: str) -> Period:
    try:
        start = datetime.combine(date.fromisoformat(text), time(), UTC)
        end = start + DAY
    except (ValueError, OverflowError) as exc:
        raise InputError(HINT, place=place) from exc
    return Period(start=start, end=end)


def _moment(text: str, place: str) -> Period:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError(HINT, place=place) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return _ending(moment)
    except OverflowError as exc:
        raise InputError(HINT, place=place) from exc


def _ending(moment: datetime) -> Period:
    end = moment.astimezone(UTC)
    return Period(start=end - DAY, end=end)
