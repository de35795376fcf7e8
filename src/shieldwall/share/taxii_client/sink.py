"""Where pulled objects go: the intelligence store implements :class:`ObjectSink`.

The contract that makes pulling idempotent lives here: a sink keys what it stores by the
object's ``id`` and version (``modified``, else ``created``, else none: the object is
immutable), so handing it the same page twice stores nothing the second time. The puller
relies on that instead of remembering object ids itself: after a crash between "page
stored" and "resume point saved", the next run fetches the page again and nothing changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from shieldwall.share.taxii_client.envelope import Rejected


@dataclass(frozen=True, slots=True)
class SinkResult:
    """What became of one batch handed to a sink."""

    stored: int
    unchanged: int
    rejected: tuple[Rejected, ...] = field(default=())


class ObjectSink(Protocol):
    """Takes STIX objects pulled from a feed; idempotent on (id, version)."""

    def accept(self, source: str, objects: Sequence[Mapping[str, Any]]) -> SinkResult:
        """Store the new versions among ``objects``; report each refused one with its reason."""
        ...


def version_key(obj: Mapping[str, Any]) -> tuple[str, str]:
    """The identity of one object version: ``(id, modified or created or "")``."""
    version = obj.get("modified") or obj.get("created") or ""
    return (str(obj.get("id", "")), str(version))
