"""Technique chains noted for fused hits, each alert of an incident read once.

Noting a hit's chains reads its incident's alerts (:func:`shieldwall.fuse.note_chains`).
A duplicate hit — one more match counted on an alert the incident already holds — adds
no technique, so its chains were noted with the alert's first hit: the worker remembers
which alert it noted in which incident and skips the read. It remembers only after the
transaction committed (a batch handed back is noted again in full), and forgets the
oldest past ``capacity``, which costs a read, never a chain. The techniques of the
alerts read are kept too (an alert's techniques and times never change, and an alert an
incident holds is never deleted): each alert is read once, not once per new alert of its
incident.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection, Iterable, Sequence

from shieldwall.fuse import CampaignRules, note_chains
from shieldwall.model.alert import AlertHit, AlertTechniques
from shieldwall.store.protocols import AlertRepository, UnitOfWork

Noted = tuple[int, int]
"""An incident id and the sequence of an alert whose chains were noted in it."""


class ChainNotes:
    """The chains of the hits a fuse worker fuses."""

    def __init__(self, rules: CampaignRules, capacity: int = 100_000) -> None:
        self._rules = rules
        self._capacity = capacity
        self._noted: OrderedDict[Noted, None] = OrderedDict()
        self._techniques: OrderedDict[int, AlertTechniques] = OrderedDict()

    def note(self, tx: UnitOfWork, hit: AlertHit, incident_id: int) -> Noted | None:
        """Note the hit's chains in its incident; what to remember once committed."""
        if not self._rules.by_chain or not hit.alert.techniques:
            return None
        noted = (incident_id, hit.alert.seq)
        if noted in self._noted:
            self._noted.move_to_end(noted)
            return None
        note_chains(
            tx.incidents,
            _Known(tx.alerts, self._techniques, self._capacity),
            tx.campaigns,
            hit,
            incident_id,
            length=self._rules.chain_length,
            window_seconds=self._rules.chain_window.total_seconds(),
        )
        return noted

    def remember(self, noted: Iterable[Noted]) -> None:
        """Remember what a committed transaction noted."""
        for key in noted:
            self._noted[key] = None
        while len(self._noted) > self._capacity:
            self._noted.popitem(last=False)


class _Known:
    """The alerts' techniques, each alert read once (the oldest forgotten past
    ``capacity``)."""

    def __init__(
        self, alerts: AlertRepository, known: OrderedDict[int, AlertTechniques], capacity: int
    ) -> None:
        self._alerts = alerts
        self._known = known
        self._capacity = capacity

    def techniques(self, seqs: Collection[int]) -> Sequence[AlertTechniques]:
        known = self._known
        missing = [seq for seq in seqs if seq not in known]
        if missing:
            for read in self._alerts.techniques(missing):
                known[read.seq] = read
            while len(known) > self._capacity:
                known.popitem(last=False)
        return [known[seq] for seq in seqs if seq in known]
