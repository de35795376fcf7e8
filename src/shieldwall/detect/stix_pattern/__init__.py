"""Full STIX 2.1 patterns on the live stream, per member, within a bounded window.

Pure (no store, no gate, no bus): :func:`compile_pattern` reads an indicator's pattern
under the budgets of :mod:`shieldwall.bounded.stix_cost`; :func:`observation` turns a
normalised event into the cyber observables of one observation; :class:`PatternStates`
keeps each member's windows and says which patterns an event completes. Which patterns a
member gets is the runtime's business (``runtime/stix_patterns.py``), as for watchlists.
See docs/stix-patterns.md.
"""

from shieldwall.detect.stix_pattern.index import PatternSet
from shieldwall.detect.stix_pattern.observe import observation
from shieldwall.detect.stix_pattern.stream import (
    MAX_KEPT,
    MAX_STATES,
    MAX_WINDOW_SECONDS,
    PatternStates,
    StreamCounts,
    StreamPattern,
    compile_pattern,
)

__all__ = [
    "MAX_KEPT",
    "MAX_STATES",
    "MAX_WINDOW_SECONDS",
    "PatternSet",
    "PatternStates",
    "StreamCounts",
    "StreamPattern",
    "compile_pattern",
    "observation",
]
