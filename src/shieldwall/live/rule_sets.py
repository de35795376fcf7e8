"""The rule sets the detect worker runs: the centre's on every event, a member's on its own.

Built from the configured rule files (``live_rules``, part of the centre's set) and the
managed rules in the store, compiled by the one Sigma engine of ``shieldwall scan``
(:class:`~shieldwall.detect.engine.Engine`): one engine for the centre's set and one per
member that has rules of its own, so a member's rule never sees another member's events.

:meth:`LiveRules.refresh` asks the store for the rule sets' version (one indexed
``max``) and rebuilds only when it moved; the new engines replace the old ones in one
assignment, so matching never sees half a rule set. Replicas poll alike, so a change
reaches every replica within the poll interval, without a restart.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from shieldwall.detect.correlate import CorrelationEngine
from shieldwall.detect.engine import Engine
from shieldwall.detect.sigma.loader import RuleSet, load_rule_texts
from shieldwall.live.rule_texts import source_of, texts_of
from shieldwall.model.detection import Detection
from shieldwall.model.errors import RuleError
from shieldwall.model.event import Event
from shieldwall.model.rules import CENTRE_SET, RuleVersion
from shieldwall.store.protocols import Store

log = logging.getLogger(__name__)
MAX_ROUTERS = 10_000


Correlations = tuple[tuple[Any, ...], tuple[tuple[str, str | None], ...]]
"""Correlation rules (pySigma's) and the (id, name) of the rules they may name."""


@dataclass(frozen=True, slots=True)
class Compiled:
    """One build of the rule sets."""

    version: int
    centre: Engine
    members: dict[str, Engine] = field(default_factory=dict)
    problems: tuple[RuleError, ...] = ()
    correlations: dict[str, Correlations] = field(default_factory=dict)
    """By member (``""``: a member without rules of its own: the centre's alone)."""


class LiveRules:
    """The live rule sets, rebuilt when the store's rule sets change."""

    def __init__(
        self, store: Store, base: RuleSet | None = None, *, poll_seconds: float = 1.0
    ) -> None:
        """``base``: the configured rule files, run as part of the centre's set."""
        self._store = store
        self._base = base or RuleSet()
        self._poll = poll_seconds
        self._checked = float("-inf")
        self._routers: dict[tuple[int, str], CorrelationEngine | None] = {}
        self._current = Compiled(
            -1,
            Engine(self._base),
            problems=tuple(self._base.problems),
            correlations={"": _correlations(self._base)},
        )

    @property
    def version(self) -> int:
        """The rule sets' version now compiled (-1 before the first refresh)."""
        return self._current.version

    @property
    def problems(self) -> tuple[RuleError, ...]:
        """Every load error of the compiled sets, and each rule disabled while matching."""
        current = self._current
        disabled = [*current.centre.disabled]
        for engine in current.members.values():
            disabled.extend(engine.disabled)
        return (*current.problems, *disabled)

    def due(self) -> bool:
        """Whether the poll interval has passed since the last look at the store."""
        return time.monotonic() - self._checked >= self._poll

    def refresh(self) -> bool:
        """Rebuild when the store's rule sets changed; whether they did."""
        self._checked = time.monotonic()
        with self._store.reading() as tx:
            version = tx.rules.set_version()
            if version == self._current.version:
                return False
            rows = tx.rules.current(None)
        self._current = self._build(version, rows)
        log.info("rule sets at version %d: %d problem(s)", version, len(self._current.problems))
        return True

    def match(self, event: Event) -> list[Detection]:
        """The centre's detections of the event, then its member's own."""
        current = self._current
        detections = current.centre.match(event)
        own = current.members.get(event.member or "")
        if own is not None:
            detections.extend(own.match(event))
        return detections

    def router(self, member: str) -> CorrelationEngine | None:
        """The member's correlation engine for questions only (which detections it takes,
        which it emits), built once per rule set version; never fed."""
        current = self._current
        key = (current.version, member if member in current.correlations else "")
        if key not in self._routers:
            if len(self._routers) > MAX_ROUTERS:
                self._routers.clear()
            self._routers[key] = self.correlation_engine(member)
        return self._routers[key]

    def correlation_engine(self, member: str) -> CorrelationEngine | None:
        """A fresh engine over the correlations that apply to ``member``'s events; None
        when none does. Built per batch: its state lives in the store, not here."""
        current = self._current
        correlations, refs = current.correlations.get(member) or current.correlations[""]
        if not correlations:
            return None
        return CorrelationEngine(correlations, refs, on_problem=_log_problem)

    def _build(self, version: int, rows: Sequence[RuleVersion]) -> Compiled:
        by_owner: dict[str, list[RuleVersion]] = defaultdict(list)
        for row in rows:
            by_owner[row.owner].append(row)
        centre_rows = by_owner.pop(CENTRE_SET, [])
        centre = load_rule_texts(texts_of(centre_rows))
        problems = [*self._base.problems, *centre.problems]
        merged = RuleSet(
            rules=[*self._base.rules, *centre.rules],
            correlations=[*self._base.correlations, *centre.correlations],
        )
        members: dict[str, Engine] = {}
        correlations = {"": _correlations(merged)}
        centre_texts = texts_of(centre_rows)
        for owner, versions in sorted(by_owner.items()):
            loaded = _own(owner, texts_of(versions), centre_texts)
            problems.extend(loaded.problems)
            if loaded.rules:
                members[owner] = Engine(loaded)
            both = RuleSet(
                rules=[*merged.rules, *loaded.rules],
                correlations=[*merged.correlations, *loaded.correlations],
            )
            correlations[owner] = _correlations(both)
        return Compiled(version, Engine(merged), members, tuple(problems), correlations)


def _own(owner: str, texts: list[tuple[str, bytes]], centre: list[tuple[str, bytes]]) -> RuleSet:
    """A member's rules, loaded beside the centre's when a correlation of its may name
    them; only the member's own rules, correlations and problems are kept."""
    if not any(b"correlation" in data for _, data in texts):
        return load_rule_texts(texts)
    loaded = load_rule_texts([*texts, *centre])
    prefix = source_of(owner, "")
    return RuleSet(
        rules=[rule for rule in loaded.rules if rule.source.startswith(prefix)],
        correlations=[
            c for c in loaded.correlations if c.source and str(c.source.path).startswith(prefix)
        ],
        problems=[p for p in loaded.problems if p.source.startswith(prefix)],
    )


def _correlations(ruleset: RuleSet) -> Correlations:
    refs = tuple((rule.rule_id, rule.name) for rule in ruleset.rules)
    return tuple(ruleset.correlations), refs


def _log_problem(problem: RuleError) -> None:
    log.warning("correlation rule not used: %s", problem)
