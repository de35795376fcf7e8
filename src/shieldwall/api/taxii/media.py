"""TAXII content negotiation: ``Accept`` and ``Content-Type`` (T4-T7).

``application/taxii+json`` with no version, or with ``version=2.1``, is accepted (and
answered as 2.1); any other version, any other type, ``*/*`` and a missing header are
refused, 406 for Accept and 415 for Content-Type. Every response is
``application/taxii+json;version=2.1``.
"""

from __future__ import annotations

TAXII_MEDIA = "application/taxii+json;version=2.1"
_TYPE = "application/taxii+json"


class NotAcceptable(Exception):  # noqa: N818 - mirrors the HTTP status name
    """The request's Accept names no media type this server answers in."""


class UnsupportedMediaType(Exception):  # noqa: N818
    """The request body is not declared as a TAXII 2.1 envelope."""


def _is_taxii_21(media: str) -> bool:
    kind, *params = (part.strip() for part in media.split(";"))
    if kind.lower() != _TYPE:
        return False
    versions = [p.split("=", 1)[1].strip() for p in params if p.lower().startswith("version=")]
    return all(v == "2.1" for v in versions)


def check_accept(header: str | None) -> None:
    """Raise NotAcceptable unless one of the listed media ranges is TAXII 2.1."""
    if not header or not any(_is_taxii_21(m) for m in header.split(",")):
        raise NotAcceptable(header or "")


def check_content_type(header: str | None) -> None:
    """Raise UnsupportedMediaType unless the body is declared TAXII 2.1."""
    if not header or not _is_taxii_21(header):
        raise UnsupportedMediaType(header or "")
