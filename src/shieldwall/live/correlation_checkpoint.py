"""Correlation in the stream, checkpointed with the alerts of each batch.

A member's correlation state (counts, windows, temporal order, for every correlation rule
and group) lives in the store, not in the worker: for each batch, in the transaction that
stores its alerts, the worker takes the member's lock, loads the saved state into a fresh
engine, claims the batch's detections (``member:event number:rule``, a key the database
enforces), feeds only those claimed now, and saves the state back. The bus is acknowledged
after the commit, so:

* a SIGKILL before the commit loses nothing: the batch is redelivered and fed again onto
  the state saved before it;
* a SIGKILL after the commit doubles nothing: the redelivered detections are claimed
  already, and the correlation alerts' keys (member, sequence, rule) exist already;
* replicas take turns per member (the lock), each starting from what the other saved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from shieldwall.detect.correlate.spec import CorrelationSpec
from shieldwall.live.rule_sets import LiveRules
from shieldwall.model.alert import NewAlert
from shieldwall.model.detection import Detection
from shieldwall.model.event import Event
from shieldwall.store.protocols import UnitOfWork

Routed = tuple[int, Detection, Event]
"""A detection a correlation takes: its event number, itself, its event."""
AlertMaker = Callable[[Detection, Event, int], NewAlert]


def correlate(
    tx: UnitOfWork, rules: LiveRules, routed: Sequence[Routed], make_alert: AlertMaker
) -> tuple[list[NewAlert], list[tuple[str, str]]]:
    """Feed the batch's routed detections, member by member: the correlation alerts, and
    the (key, member) of those a fed-before detection raised (announced again)."""
    by_member: dict[str, list[Routed]] = {}
    for item in routed:
        by_member.setdefault(item[2].member or "", []).append(item)
    alerts: list[NewAlert] = []
    again: list[tuple[str, str]] = []
    for member in sorted(by_member):
        engine = rules.correlation_engine(member)
        if engine is None:
            continue
        tx.incidents.lock_member(member)
        saved = tx.correlations.load(member)
        if saved:
            engine.restore(saved)
        items = by_member[member]
        keys = [f"{member}:{seq}:{detection.rule_id}" for seq, detection, _ in items]
        fresh = tx.correlations.claim(keys)
        for key, (seq, detection, event) in zip(keys, items, strict=True):
            if key in fresh:
                alerts.extend(make_alert(fired, event, seq) for fired in engine.feed(detection))
            else:
                again.extend(_raised_before(tx, engine.correlations, member, seq))
        tx.correlations.save(member, engine.state())
    return alerts, again


def _raised_before(
    tx: UnitOfWork, specs: Sequence[CorrelationSpec], member: str, seq: int
) -> list[tuple[str, str]]:
    """Correlation alerts an event raised before a crash: the fuse stage hears of them
    again (it may not have before the crash), keyed, so nothing is doubled there either."""
    keys = (f"{member}:{seq}:{spec.rule_id}" for spec in specs)
    return [(key, member) for key in keys if tx.alerts.hit(key) is not None]
