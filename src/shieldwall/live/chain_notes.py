"""Technique chains noted for fused hits, each alert of an incident read once.

Noting a hit's chains reads its incident's alerts (:func:`shieldwall.fuse.note_chains`).
A duplicate hit — one more match counted on an alert the incident already holds — adds
no technique, so its chains were noted with the alert's first hit: the worker remembers
which alert it noted in which incident and skips the read. It remembers only after the
transaction committed (a batch handed back is noted again in full), and forgets the
oldest past ``capacity``, which costs a read, never a chain.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from shieldwall.fuse import CampaignRules, note_chains
from shieldwall.model.alert import AlertHit
from shieldwall.store.protocols import UnitOfWork

Noted = tuple[int, int]
"""An incident id and the sequence of an alert whose chains were noted in it."""


class ChainNotes:
    """The chains of the hits a fuse worker fuses."""

    def __init__(self, rules: CampaignRules, capacity: int = 100_000) -> None:
        self._rules = rules
        self._capacity = capacity
        self._noted: OrderedDict[Noted, None] = OrderedDict()

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
            tx.alerts,
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
