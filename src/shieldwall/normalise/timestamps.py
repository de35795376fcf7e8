"""Timestamps as logged to aware UTC datetimes.

ISO 8601 text, epoch seconds, .NET's ``/Date(ms)/`` (PowerShell's ``ConvertTo-Json`` of
``TimeCreated``), and ArcSight's ``MMM dd yyyy HH:mm:ss[.SSS][ zone]`` (CEF ``rt``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
UTC_NAMES = frozenset(["UTC", "GMT", "Z", "UT"])
MAX_EPOCH_DIGITS = 16


def parse_iso(text: str) -> datetime | None:
    """ISO 8601 text (``Z``, ``+00:00`` or ``+0000``; naive taken as UTC), or None if not one.

    ``datetime.fromisoformat`` (3.11) reads all of these and truncates fractions past
    microseconds (Windows writes seven digits).
    """
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is UTC:
        return moment
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is a year-0 moment in UTC
        return None


def from_epoch(seconds: float) -> datetime | None:
    """Seconds since 1970 (Zeek's ``ts``) as UTC, or None when out of datetime's range."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def from_epoch_millis(text: str) -> datetime | None:
    """Decimal milliseconds since 1970 (CEF ``rt``, .NET dates), or None if not that."""
    digits = text.removeprefix("-")
    if 0 < len(digits) <= MAX_EPOCH_DIGITS and digits.isascii() and digits.isdigit():
        return from_epoch(int(text) / 1000)
    return None


def parse_dotnet_date(text: str) -> datetime | None:
    """``/Date(1714557600000)/`` (an offset after the millis, ``+0200``, is ignored: the
    millis are already UTC), or None."""
    if not (text.startswith("/Date(") and text.endswith(")/")):
        return None
    inner = text[6:-2]
    cut = max(inner.find("+", 1), inner.find("-", 1))
    return from_epoch_millis(inner[:cut] if cut > 0 else inner)


def parse_month_first(text: str) -> datetime | None:
    """ArcSight's ``MMM dd yyyy HH:mm:ss[.SSS][ zone]`` as UTC, or None if not that form.

    A zone is ``UTC``/``GMT``/``Z`` or a numeric offset (``+0200``, ``+02:00``); no zone is
    taken as UTC, as syslog's stamps are. Named zones (``CEST``) are ambiguous: None.
    """
    parts = text.split()
    if len(parts) not in (4, 5) or parts[0] not in MONTHS:
        return None
    day, year, clock = parts[1], parts[2], parts[3]
    zone = _zone(parts[4]) if len(parts) == 5 else UTC
    if zone is None or not (day.isdigit() and year.isdigit() and len(year) == 4):
        return None
    try:
        moment = datetime.strptime(f"{year}-{MONTHS[parts[0]]}-{day} {clock}", _clock_format(clock))
    except ValueError:
        return None
    return moment.replace(tzinfo=zone).astimezone(UTC)


def _clock_format(clock: str) -> str:
    return "%Y-%m-%d %H:%M:%S.%f" if "." in clock else "%Y-%m-%d %H:%M:%S"


def _zone(text: str) -> timezone | None:
    if text.upper() in UTC_NAMES:
        return UTC
    sign = {"+": 1, "-": -1}.get(text[:1])
    digits = text[1:].replace(":", "")
    if sign is None or len(digits) != 4 or not digits.isascii() or not digits.isdigit():
        return None
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    if offset >= timedelta(hours=24):
        return None
    return timezone(sign * offset)


def parse_any(value: Any) -> datetime | None:
    """A timestamp field whichever way it was written: ISO text, .NET date, epoch number."""
    kind = type(value)
    if kind is str:
        if value.startswith("/Date("):
            return parse_dotnet_date(value)
        return parse_iso(value)
    if kind is int or kind is float:
        return from_epoch(value)
    return None
