"""Detect: match events against Sigma rules, correlations and ATT&CK, and emit detections.

:mod:`.sigma` loads rules with pySigma and compiles them into matchers; :mod:`.engine`
routes each event to the rules its logsource can reach; :mod:`.correlate` turns a stream of
detections into correlation detections; :mod:`.attack` resolves rule tags to techniques.
The same engine serves ``shieldwall scan`` at a member's edge and the centre's live
pipeline, so a rule behaves alike in both.
"""
