"""Costly validation runs in a worker process, so one member's parsing never slows the others.

Reading a STIX pattern is pure Python work that holds the interpreter lock. Validated in the
server's own threads, a request of 64 patterns of 200 comparisons each kept every other
request waiting for the lock (``bench/taxii.py``: another member's reads at 255 ms p99
while such posts ran). A request whose patterns would cost more than
:data:`POOL_THRESHOLD` comparisons to parse is therefore validated in a separate process,
and the server's threads only wait for the answer, holding nothing. Cheap requests (plain
one-comparison patterns, objects without patterns) are validated in place: sending them
to another process would cost more than checking them.

A large cheap request (:data:`SPLIT_MIN` objects or more: a feed's page, a bulk load) is
cut in two: the worker checks the second part while the server's thread checks the
first, so one request uses both cores instead of one. Each part is held to a pattern
budget of its own; a cheap request cannot spend even one part's (its patterns cost at
most :data:`POOL_THRESHOLD` comparisons in all), so the verdicts are those of one pass.

Workers are started with ``spawn`` (safe in a threaded server) on the first costly request,
or at start-up with :meth:`ValidationPool.warm`. ``workers = 0`` validates everything in place.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from shieldwall.model.errors import InputError
from shieldwall.share.intel.pattern_budget import pattern_cost
from shieldwall.share.intel.pattern_check import is_plain_pattern
from shieldwall.share.intel.validate import ValidObject, validate_all

POOL_THRESHOLD = 64
"""Comparisons to parse above which a request is validated in a worker process."""

SPLIT_MIN = 200
"""Objects in a cheap request from which a worker checks part of it (below this, sending
a part to another process costs more than it saves)."""

Checked = list[ValidObject | InputError]


def parse_cost(objects: Sequence[Any]) -> int:
    """Comparisons the request's non-plain STIX patterns would make the parser read.

    A linear scan per pattern (:func:`.pattern_budget.pattern_cost`), stopped as soon as
    the total passes the threshold: deciding must stay cheaper than validating.
    """
    total = 0
    for candidate in objects:
        if not isinstance(candidate, dict) or candidate.get("type") != "indicator":
            continue
        pattern = candidate.get("pattern")
        if isinstance(pattern, str) and not is_plain_pattern(pattern):
            total += max(1, pattern_cost(pattern).comparisons)
            if total > POOL_THRESHOLD:
                break
    return total


class ValidationPool:
    """Validates each request in place or in a worker process, by its cost."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def validate(self, objects: Sequence[Any], *, source: str) -> Checked:
        """Every object checked (:func:`.validate.validate_all`), wherever it is cheaper."""
        if self.workers == 0:
            return validate_all(objects, source=source)
        if parse_cost(objects) <= POOL_THRESHOLD:
            if len(objects) < SPLIT_MIN:
                return validate_all(objects, source=source)
            return self._split(objects, source)
        try:
            return self._pool().submit(validate_all, list(objects), source=source).result()
        except BrokenProcessPool:
            self._discard()
            reason = "the request could not be checked; send it again or in smaller parts"
            return [
                InputError(reason, source=source, place=f"objects[{i}]")
                for i in range(len(objects))
            ]

    def _split(self, objects: Sequence[Any], source: str) -> Checked:
        """A cheap request checked in two parts at once: here and in a worker."""
        cut = len(objects) // 2
        rest = list(objects[cut:])
        try:
            there = self._pool().submit(validate_all, rest, source=source, first_index=cut)
        except (BrokenProcessPool, RuntimeError):
            self._discard()
            return validate_all(objects, source=source)
        here = validate_all(objects[:cut], source=source)
        try:
            return here + there.result()
        except BrokenProcessPool:  # not this request's doing: its part is cheap to redo
            self._discard()
            return here + validate_all(rest, source=source, first_index=cut)

    def warm(self) -> None:
        """Start the workers now rather than on the first costly request."""
        if self.workers:
            self._pool().submit(validate_all, [], source="warm-up").result()

    def close(self) -> None:
        """Stop the workers (idempotent)."""
        self._discard()

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
                )
            return self._executor

    def _discard(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
