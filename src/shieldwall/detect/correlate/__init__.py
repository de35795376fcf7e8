"""Sigma correlation rules over a stream of detections (event_count ... value_median).

Public API: :class:`CorrelationEngine`. Window semantics are documented in
:mod:`shieldwall.detect.correlate.correlator`.
"""

from shieldwall.detect.correlate.engine import MAX_EVENTS, CorrelationEngine, RuleRef

__all__ = ["MAX_EVENTS", "CorrelationEngine", "RuleRef"]
