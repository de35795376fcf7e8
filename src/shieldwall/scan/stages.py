"""The stages a scan composes, behind small protocols so the runtime can be tested alone.

The real stages (ingest, normalise, detect) are bound by :func:`default_stages`; tests pass
fakes with the same shape. Every callable here is a module-level function or class so that a
:class:`ScanStages` pickles by reference into ``--jobs`` worker processes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from shieldwall.model.detection import Detection
from shieldwall.model.errors import InputError, RuleError
from shieldwall.model.event import Event, RawRecord, RecordFormat

ProblemSink = Callable[[InputError], None]


class RuleSetLike(Protocol):
    """What the runtime reads from a loaded rule set (``detect.sigma.loader.RuleSet``).

    Each rule has ``rule_id`` and ``name`` (``CompiledRule``).
    """

    @property
    def rules(self) -> Sequence[Any]: ...
    @property
    def correlations(self) -> Sequence[Any]: ...
    @property
    def problems(self) -> Sequence[RuleError]: ...
    @property
    def files_read(self) -> int: ...


class EngineLike(Protocol):
    """Matches one event against every rule that can apply to it."""

    def match(self, event: Event) -> list[Detection]: ...


class CorrelatorLike(Protocol):
    """Turns a stream of detections into correlation detections."""

    def feed(self, detection: Detection) -> list[Detection]: ...
    def flush(self) -> list[Detection]: ...
    def emits_base(self, rule_id: str, rule_name: str | None = None) -> bool: ...
    def routes(self, rule_id: str, rule_name: str | None = None) -> bool: ...


class RecordReader(Protocol):
    """``ingest.iter_records``: one file into raw records, problems reported on the side."""

    def __call__(
        self, path: Path, *, fmt: RecordFormat | None, on_problem: ProblemSink
    ) -> Iterator[RawRecord]: ...


class RuleLoader(Protocol):
    """``detect.sigma.loader.load_rules``."""

    def __call__(
        self, paths: Sequence[Path], *, selection: Any, placeholders: Path | None
    ) -> RuleSetLike: ...


@dataclass(frozen=True)
class ScanStages:
    """The functions one scan is made of; picklable by reference."""

    discover: Callable[[Sequence[Path]], list[Path]]
    iter_records: RecordReader
    normalise: Callable[[RawRecord], Event]
    load_rules: RuleLoader
    make_engine: Callable[[Any], EngineLike]
    make_correlator: Callable[[RuleDigest, Callable[[RuleError], None]], CorrelatorLike]
    """Builds the correlation engine; a bad correlation goes to the sink, the rest run."""


@dataclass(frozen=True)
class RuleDigest:
    """What the parent process needs of a loaded rule set: small, and it pickles.

    Compiled rules hold closures and do not pickle, so with ``--jobs N`` the workers load
    the rules and one of them sends this digest back: the parent then reports and correlates
    without loading the rules a third time.
    """

    rule_refs: tuple[tuple[str, str | None], ...]
    """(rule id, rule name) of every detection rule loaded."""
    correlations: tuple[Any, ...]
    problems: tuple[RuleError, ...]
    files_read: int

    @classmethod
    def of(cls, ruleset: RuleSetLike) -> RuleDigest:
        """The digest of a loaded rule set."""
        return cls(
            rule_refs=tuple((rule.rule_id, rule.name) for rule in ruleset.rules),
            correlations=tuple(ruleset.correlations),
            problems=tuple(ruleset.problems),
            files_read=ruleset.files_read,
        )

    @property
    def rules_loaded(self) -> int:
        """Detection and correlation rules ready to run."""
        return len(self.rule_refs) + len(self.correlations)


def default_stages() -> ScanStages:
    """The real ingest, normalise and detect stages (imported here: pySigma is slow to load,
    and only ``scan`` needs it)."""
    from shieldwall.detect.engine import Engine
    from shieldwall.detect.sigma.loader import load_rules
    from shieldwall.ingest import discover_files, iter_records
    from shieldwall.normalise import normalise

    return ScanStages(
        discover=discover_files,
        iter_records=iter_records,
        normalise=normalise,
        load_rules=load_rules,
        make_engine=Engine,
        make_correlator=build_correlator,
    )


def build_correlator(rules: RuleDigest, on_problem: Callable[[RuleError], None]) -> CorrelatorLike:
    """The correlation engine over the correlation rules and the rules they may name.

    A scan is a batch: the engine keeps the detections correlations refer to and replays
    them in time order at the end, so results do not depend on file order or ``--jobs``
    (a host's Security and Sysmon logs correlate across files). The live pipeline keeps
    the streaming default instead.
    """
    from shieldwall.detect.correlate import CorrelationEngine

    engine: CorrelatorLike = CorrelationEngine(
        rules.correlations, rules.rule_refs, on_problem=on_problem, sort_at_flush=True
    )
    return engine
