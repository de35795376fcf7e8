"""CorrelationEngine: detections in, correlation detections out (Sigma correlation rules).

The detection engine emits a Detection per rule match; the runtime feeds each one here and
asks :meth:`CorrelationEngine.emits_base` whether to output it as well (R13 ``generate``).
A correlation's own output is fed back in, so a correlation may reference another (R14);
references are checked and cycles refused when the engine is built (R15).

Memory: one window per group alive within the timespan. Groups the stream time has left
behind are dropped when their correlation is next fed, and all correlations are swept every
``sweep_every`` detections, so idle groups do not pile up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from shieldwall.detect.correlate.correlator import Correlator, SequenceCorrelator
from shieldwall.detect.correlate.references import (
    RuleIndex,
    canonical_id,
    cycle_members,
    dependency_order,
)
from shieldwall.detect.correlate.spec import CorrelationSpec, compile_correlation, referenced_keys
from shieldwall.detect.correlate.state import correlator_state, restore_correlator
from shieldwall.model.detection import Detection
from shieldwall.model.errors import RuleError

MAX_EVENTS = 50
"""Events carried by one correlation detection (the first ones behind it)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class NamedRule(Protocol):
    """A detection rule as the loader knows it (pySigma's SigmaRule fits)."""

    @property
    def id(self) -> Any:
        """The rule's id (UUID or text), or None."""

    @property
    def name(self) -> str | None:
        """The rule's ``name``, or None."""


RuleRef = tuple[Any, str | None] | NamedRule
"""A known base rule: an ``(id, name)`` pair or an object with ``id`` and ``name``."""


class CorrelationEngine:
    """Evaluates Sigma correlation rules over a stream of detections."""

    def __init__(
        self,
        correlations: Sequence[Any],
        rules: Sequence[RuleRef],
        *,
        max_events: int = MAX_EVENTS,
        sweep_every: int = 1024,
        on_problem: Callable[[RuleError], None] | None = None,
        sort_at_flush: bool = False,
    ) -> None:
        """Check and compile ``correlations`` (pySigma SigmaCorrelationRule objects).

        A bad correlation raises RuleError naming it; with ``on_problem`` it is reported there
        instead (with every correlation that depends on it) and the others are used.

        ``sort_at_flush`` is for batch scans: :meth:`feed` only keeps the detections that
        correlations reference, and :meth:`flush` replays them in time order. The result is
        then independent of file order and of ``--jobs`` and correlates across files (e.g. a
        host's Security and Sysmon logs), at the cost of holding those detections until the
        end. Without it (the live pipeline), detections are correlated as they arrive.
        """
        self._sort_at_flush = sort_at_flush
        self._held: list[tuple[int, int, str, Detection]] = []
        self.skipped: Counter[str] = Counter()
        """Detections that could not take part, by correlation and reason."""
        self._max_events = max_events
        self._sweep_every = sweep_every
        self._fed = 0
        self._clock = 0
        self._index = RuleIndex()
        for rule in rules:
            self._index.add(*_identity(rule))
        self._correlators: list[Correlator | SequenceCorrelator] = []
        self._routes: dict[str, list[tuple[Correlator | SequenceCorrelator, str]]] = {}
        self._generate: dict[str, bool] = {}
        report = on_problem if on_problem is not None else _raise
        for spec in _compile_all(correlations, self._index, report):
            self._install(spec)

    @property
    def correlations(self) -> list[CorrelationSpec]:
        """The correlations in use, each after those it references."""
        return [correlator.spec for correlator in self._correlators]

    @property
    def groups_alive(self) -> int:
        """Groups holding state now, over all correlations."""
        return sum(correlator.groups_alive for correlator in self._correlators)

    def state(self) -> dict[str, Any]:
        """Every correlation's groups (and stream time) as JSON values, by correlation key.

        With :meth:`restore`, what the live pipeline checkpoints (:mod:`.state`)."""
        body: dict[str, Any] = {
            c.spec.key: correlator_state(c) for c in self._correlators if c.groups_alive
        }
        return {"clock": self._clock, "fed": self._fed, "correlations": body}

    def restore(self, state: dict[str, Any]) -> None:
        """Carry on from :meth:`state`; correlations no longer in use are left out."""
        self._clock = int(state.get("clock", 0))
        self._fed = int(state.get("fed", 0))
        saved = state.get("correlations", {})
        for correlator in self._correlators:
            restore_correlator(correlator, saved.get(correlator.spec.key, {}))

    def emits_base(self, rule_id: str, rule_name: str | None = None) -> bool:
        """False for a rule referenced only by correlations without ``generate: true``.

        A rule referenced by several correlations is emitted if any of them asks for it
        (pySigma's ``get_output_rules`` requires all of them; we keep detections visible).
        """
        key = self._index.key_of(rule_id, rule_name or rule_id) or canonical_id(rule_id)
        return self._generate.get(key, True)

    def routes(self, rule_id: str, rule_name: str | None = None) -> bool:
        """True if some correlation takes this rule's detections (so they must be fed)."""
        key = self._index.key_of(rule_id, rule_name)
        return key is not None and key in self._routes

    def feed(self, detection: Detection) -> list[Detection]:
        """Take one detection; return the correlation detections it completes (R14 chained)."""
        fired: list[Detection] = []
        self._fed += 1
        if self._fed % self._sweep_every == 0:
            fired.extend(self._sweep_all())
        key = self._index.key_of(detection.rule_id, detection.rule_name)
        if key is None or key not in self._routes:
            return fired
        if detection.timestamp is None:
            self.skipped["detection without timestamp"] += 1
            return fired
        time = to_microseconds(detection.timestamp)
        if self._sort_at_flush:
            self._held.append((time, len(self._held), key, detection))
            return fired
        self._clock = time
        fired.extend(self._dispatch(key, detection, time))
        return fired

    def flush(self) -> list[Detection]:
        """End of input: check windows still open (inner correlations first), clear state."""
        fired = self._replay_held()
        for correlator in self._correlators:
            for output in correlator.flush():
                fired.extend(self._emit(correlator.spec.key, output))
        return fired

    def _replay_held(self) -> list[Detection]:
        """``sort_at_flush``: feed the held detections in time order (stable for ties)."""
        held, self._held = sorted(self._held, key=lambda item: item[:2]), []
        fired: list[Detection] = []
        for count, (time, _, key, detection) in enumerate(held, start=1):
            self._clock = time
            if count % self._sweep_every == 0:
                fired.extend(self._sweep_all())
            fired.extend(self._dispatch(key, detection, time))
        return fired

    def _install(self, spec: CorrelationSpec) -> None:
        make = SequenceCorrelator if spec.kind == "temporal_ordered" else Correlator
        correlator = make(spec, max_events=self._max_events, skipped=self.skipped)
        self._correlators.append(correlator)
        for source in dict.fromkeys(spec.sources):
            self._routes.setdefault(source, []).append((correlator, source))
            self._generate[source] = self._generate.get(source, False) or spec.generate

    def _dispatch(self, key: str, detection: Detection, time: int) -> list[Detection]:
        fired: list[Detection] = []
        for correlator, source in self._routes.get(key, ()):
            outputs = correlator.feed(source, detection, time) + correlator.sweep(self._clock)
            for output in outputs:
                fired.extend(self._emit(correlator.spec.key, output))
        return fired

    def _emit(self, key: str, output: Detection) -> list[Detection]:
        """Feed a correlation's output to correlations over it; keep it if it is emitted."""
        fired = [output] if self._generate.get(key, True) else []
        if key in self._routes and output.timestamp is not None:
            fired.extend(self._dispatch(key, output, to_microseconds(output.timestamp)))
        return fired

    def _sweep_all(self) -> list[Detection]:
        fired: list[Detection] = []
        for correlator in self._correlators:
            for output in correlator.sweep(self._clock):
                fired.extend(self._emit(correlator.spec.key, output))
        return fired


def to_microseconds(moment: datetime) -> int:
    """Exact microseconds since the epoch (a naive time is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _MICROSECOND


def _identity(rule: RuleRef) -> tuple[Any, str | None]:
    if isinstance(rule, tuple):
        return rule
    return rule.id, rule.name


def _raise(error: RuleError) -> None:
    raise error


def _compile_all(
    correlations: Sequence[Any], index: RuleIndex, report: Callable[[RuleError], None]
) -> list[CorrelationSpec]:
    """Compile in dependency order; a failure also fails every correlation built on it."""
    by_key: dict[str, Any] = {}
    for rule in correlations:
        key = index.add(rule.id, rule.name) or str(rule.title)
        if key in by_key:
            report(RuleError("two correlation rules have this id or name", rule_id=key))
        by_key[key] = rule
    edges: dict[str, list[str]] = {}
    for key, rule in by_key.items():
        try:
            edges[key] = [ref for ref in referenced_keys(rule, index) if ref in by_key]
        except RuleError as error:
            report(error)
    bad = set(edges) ^ set(by_key)
    for key, cycle_error in cycle_members(edges).items():
        report(cycle_error)
        bad.add(key)
    specs: list[CorrelationSpec] = []
    for key in dependency_order({k: v for k, v in edges.items() if k not in bad}):
        if key in bad:
            continue
        broken = [ref for ref in edges[key] if ref in bad]
        try:
            if broken:
                raise RuleError(
                    f"references correlation {broken[0]} that cannot be used", rule_id=key
                )
            specs.append(compile_correlation(by_key[key], index))
        except RuleError as error:
            report(error)
            bad.add(key)
    return specs
