"""The stages a scan is made of: ingest, normalise and detect, bound once.

:func:`default_stages` binds the real ones; tests pass stand-ins of the same shape. Every
callable here is a module-level function or class so that a :class:`ScanStages` pickles by
reference into ``--jobs`` worker processes. The detect types are imported for the type
checker only: pySigma is slow to import, and only a process that loads rules needs it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from shieldwall.model.errors import InputError, RuleError
from shieldwall.model.event import Event, RawRecord, RecordFormat

if TYPE_CHECKING:
    from sigma.correlations import SigmaCorrelationRule

    from shieldwall.detect.correlate import CorrelationEngine
    from shieldwall.detect.engine import Engine
    from shieldwall.detect.sigma import RuleSelection, RuleSet

ProblemSink = Callable[[InputError], None]
"""Where a problem with the logs goes (a corrupt record, an unreadable file)."""
RuleProblemSink = Callable[[RuleError], None]
"""Where a rule that cannot run goes (a correlation naming an unknown rule, say)."""


class RecordReader(Protocol):
    """:func:`shieldwall.ingest.iter_records`: one file into raw records, problems aside."""

    def __call__(
        self, path: Path, *, fmt: RecordFormat | None, on_problem: ProblemSink
    ) -> Iterator[RawRecord]: ...


class RuleLoader(Protocol):
    """:func:`shieldwall.detect.sigma.load_rules`."""

    def __call__(
        self,
        paths: Sequence[Path],
        *,
        selection: RuleSelection | None,
        placeholders: Path | None,
        cache: Path | None,
    ) -> RuleSet: ...


@dataclass(frozen=True)
class ScanStages:
    """The functions one scan is made of; picklable by reference."""

    discover: Callable[[Sequence[Path]], list[Path]]
    iter_records: RecordReader
    normalise: Callable[[RawRecord], Event]
    load_rules: RuleLoader
    make_engine: Callable[[RuleSet], Engine]
    make_correlator: Callable[[RuleDigest, RuleProblemSink], CorrelationEngine]
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
    correlations: tuple[SigmaCorrelationRule, ...]
    problems: tuple[RuleError, ...]
    files_read: int

    @classmethod
    def of(cls, ruleset: RuleSet) -> RuleDigest:
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


def build_correlator(rules: RuleDigest, on_problem: RuleProblemSink) -> CorrelationEngine:
    """The correlation engine over the correlation rules and the rules they may name.

    A scan is a batch: the engine keeps the detections correlations refer to and replays
    them in time order at the end, so results do not depend on file order or ``--jobs``
    (a host's Security and Sysmon logs correlate across files). The live pipeline keeps
    the streaming default instead.
    """
    from shieldwall.detect.correlate import CorrelationEngine

    return CorrelationEngine(
        rules.correlations, rules.rule_refs, on_problem=on_problem, sort_at_flush=True
    )
