"""The Detection a correlation emits when it fires.

``rule_id``/``rule_title``/``rule_name``/``level``/``tags`` come from the correlation rule,
``kind`` is its type, ``group`` the group-by values, ``timestamp`` and ``source`` those of
the detection that completed it, ``events`` the events behind it (bounded), and ``count``
the count that met the condition. For value_sum/avg/percentile/median the aggregate is a
number, not a count (``Detection.count`` is an int): ``count`` is then the number of
detections in the window and ``matched`` holds ``{condition.field: aggregate}``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from itertools import islice

from shieldwall.detect.correlate.spec import NUMERIC, CorrelationSpec
from shieldwall.model.detection import Detection
from shieldwall.model.event import Event


def correlation_detection(
    spec: CorrelationSpec,
    group: tuple[Hashable, ...],
    result: float,
    behind: list[Detection],
    *,
    max_events: int,
) -> Detection:
    """Build the output of a correlation that fired over the detections ``behind`` it."""
    last = behind[-1]
    numeric = spec.kind in NUMERIC
    return Detection(
        rule_id=spec.rule_id,
        rule_title=spec.title,
        rule_name=spec.name,
        level=spec.level,
        tags=spec.tags,
        timestamp=last.timestamp,
        source=last.source,
        matched={spec.value_label: result} if numeric else {},
        kind=spec.kind,
        group=dict(zip(spec.group_by, group, strict=True)),
        events=tuple(islice(_events(behind), max_events)),
        count=len(behind) if numeric else int(result),
    )


def _events(detections: Iterable[Detection]) -> Iterable[Event]:
    """The events behind detections; a correlation's output contributes its own events."""
    for detection in detections:
        if detection.event is not None:
            yield detection.event
        else:
            yield from detection.events
