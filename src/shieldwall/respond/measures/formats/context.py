"""What every writer may print besides the items: whose list, which version, when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

ORIGIN = "shieldwall"


@dataclass(frozen=True, slots=True)
class BuildContext:
    """The member, the subscription and version of its list, and the build's time.

    ``member`` and ``subscription`` are slugs checked when stored, so writers may print them.
    """

    member: str
    subscription: str
    version: int
    created: datetime

    @property
    def stamp(self) -> str:
        """The build's time as RFC 3339 UTC with milliseconds (STIX's timestamp form)."""
        return (
            self.created.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.created.microsecond // 1000:03d}Z"
        )
