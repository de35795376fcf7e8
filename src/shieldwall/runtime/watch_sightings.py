"""Indicator alerts become sightings for the indicators' producers (``share``'s path).

The detect worker (``live``) hands over the indicator alerts it stored for the first time;
this glue groups them and asks ``share`` to publish one sighting per member, indicator and
alert deduplication key (by default: the same host and user in the same hour), so a noisy
address seen ten thousand times an hour makes one sighting, not ten thousand.

Delivery is at most once: the groups reported are remembered in memory (the newest
:data:`REMEMBERED`), and a crash after an alert is stored but before its sighting is
published loses that sighting. A failure (the indicator revoked meanwhile, a database
blip) is logged and never stops detection.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence

from shieldwall import share
from shieldwall.model.alert import NewAlert
from shieldwall.model.errors import ShieldwallError
from shieldwall.store.protocols import Store

log = logging.getLogger(__name__)

REMEMBERED = 100_000


class SightingReporter:
    """The detect worker's ``sightings`` sink."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._reported: OrderedDict[tuple[str, str, str], None] = OrderedDict()
        self.reported = 0

    def __call__(self, alerts: Sequence[NewAlert]) -> None:
        """Report one sighting per new (member, indicator, dedup key) group of ``alerts``."""
        for group, found in _groups(alerts).items():
            if group in self._reported:
                continue
            self._remember(group)
            times = [a.event_time for a in found if a.event_time is not None]
            seen = share.WatchSighting(
                group[0], group[1], len(found), min(times, default=None), max(times, default=None)
            )
            try:
                share.report_watch_sighting(self._store, seen)
                self.reported += 1
            except ShieldwallError as exc:
                log.warning("sighting of %s by %s not reported: %s", group[1], group[0], exc)

    def _remember(self, group: tuple[str, str, str]) -> None:
        self._reported[group] = None
        if len(self._reported) > REMEMBERED:
            self._reported.popitem(last=False)


def _groups(alerts: Sequence[NewAlert]) -> dict[tuple[str, str, str], list[NewAlert]]:
    groups: dict[tuple[str, str, str], list[NewAlert]] = {}
    for alert in alerts:
        group = (alert.org_id, alert.rule_id, alert.dedup_key or alert.key)
        groups.setdefault(group, []).append(alert)
    return groups
