"""End-to-end sequence checking for consumers.

Every message on a subject has a sequence number with no holes (1, 2, 3, ...). A consumer
that records which sequence numbers it has processed can therefore tell a redelivery (seen
before: skip it, nothing changes) from a new message, and can name the messages it never
got (a gap) — for example one that ran out of ``max_deliver`` attempts. Deliveries can come
out of order after a redelivery, so an early hole is not yet a loss; :meth:`gaps` lists
what is missing now and the caller decides how long to wait before raising the alarm.

The state is small: a floor below which everything was processed, plus the few numbers
processed above it. Persist :attr:`floor` and :attr:`above_floor` with the consumer's
own records to survive a restart.
"""

from __future__ import annotations

from collections.abc import Iterable

from shieldwall.model.errors import BusError


class SequenceTracker:
    """The set of sequence numbers a consumer has processed."""

    def __init__(self, floor: int = 0, above_floor: Iterable[int] = ()) -> None:
        if floor < 0:
            raise BusError(f"sequence floor must be 0 or more, got {floor}")
        self._floor = floor
        self._above: set[int] = set()
        for sequence in above_floor:
            self.record(sequence)

    @property
    def floor(self) -> int:
        """Every sequence number up to and including this one has been processed."""
        return self._floor

    @property
    def above_floor(self) -> tuple[int, ...]:
        """Processed sequence numbers above the floor, ascending."""
        return tuple(sorted(self._above))

    @property
    def highest(self) -> int:
        """The highest sequence number processed; 0 if none."""
        return max(self._above, default=self._floor)

    def is_done(self, sequence: int) -> bool:
        """Whether ``sequence`` was processed already (a redelivery to skip)."""
        return sequence <= self._floor or sequence in self._above

    def record(self, sequence: int) -> bool:
        """Mark ``sequence`` processed; return False if it already was."""
        if sequence < 1:
            raise BusError(f"sequence numbers start at 1, got {sequence}")
        if self.is_done(sequence):
            return False
        self._above.add(sequence)
        while self._floor + 1 in self._above:
            self._floor += 1
            self._above.remove(self._floor)
        return True

    def gaps(self, up_to: int | None = None) -> list[range]:
        """Ranges of sequence numbers not processed, up to ``up_to`` (default: the highest
        processed). Pass the subject's last sequence to see missing messages at the tail."""
        end = self.highest if up_to is None else up_to
        missing: list[range] = []
        start = self._floor + 1
        for done in sorted(self._above):
            if done > end:
                break
            if done > start:
                missing.append(range(start, done))
            start = done + 1
        if end >= start:
            missing.append(range(start, end + 1))
        return missing
