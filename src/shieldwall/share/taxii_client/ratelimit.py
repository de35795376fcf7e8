"""A request pacer: at most ``per_second`` requests to one remote, evenly spaced.

Partners publish rate limits and ban clients that burst; spacing requests evenly is the
simplest policy that never exceeds the limit, whatever the page size.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class RateLimiter:
    """Blocks before each request until the previous one is ``1/per_second`` old."""

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self._gap = 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._next_at: float | None = None

    def wait(self) -> float:
        """Sleep until the next request may go; return how long it slept."""
        now = self._clock()
        slept = 0.0
        if self._next_at is not None and self._next_at > now:
            slept = self._next_at - now
            self._sleep(slept)
            now = self._next_at
        self._next_at = now + self._gap
        return slept
