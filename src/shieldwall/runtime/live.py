"""The live pipeline's wiring: the bus for each event loop, the stage workers' threads.

A NATS connection belongs to the event loop that opened it, so :class:`LiveBus` opens one
per running loop, lazily: the API's loop gets its own, and the detect worker, which runs
in a thread with a loop of its own, gets another. The embedded bus works from any loop
(its SQLite calls run on its own thread), so publishers share one. The embedded
bus lives in ``bus.db`` in the data directory, a SQLite file of its own: on the embedded
default its publishes, fetches and acknowledgements then never wait for SQLite's one
writer of the store's file (the API's, detect's and fuse's store writes), and theirs not
for the bus's. A data directory whose store file still holds the bus (where it lived
before) has it moved, with its messages in flight (:func:`bus_file`).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from shieldwall import live
from shieldwall.bus.factory import embedded_path, open_bus
from shieldwall.bus.protocol import Bus
from shieldwall.bus.sqlite_move import move_bus
from shieldwall.config.settings import Settings
from shieldwall.detect.sigma.loader import RuleSet, load_rules
from shieldwall.fuse import CampaignRules, GroupingRules, PostureRules
from shieldwall.model.errors import ConfigError
from shieldwall.runtime.loop_thread import LoopThread
from shieldwall.runtime.watch_sightings import SightingReporter
from shieldwall.runtime.watchlists import Watchlists
from shieldwall.store.protocols import Store
from shieldwall.store.sql.write_lock import write_lock


def bus_file(settings: Settings) -> Path:
    """The SQLite file of the embedded bus, ``bus.db`` in the data directory; a bus still
    in the store's ``shieldwall.db`` there (a data directory from before) is moved into it
    first, with everything in flight (:mod:`shieldwall.bus.sqlite_move`)."""
    target = settings.data_dir / "bus.db"
    store_file = settings.data_dir / "shieldwall.db"
    if settings.is_sqlite:
        move_bus(store_file, target, write_lock(store_file))
    return target


class LiveBus:
    """One bus per event loop, opened on first use and closed with :meth:`close`."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._shared = embedded_path(settings.bus_url, Path()) is not None
        self._file = bus_file(settings) if settings.bus_url == "embedded" else None  # at start
        self._buses: dict[asyncio.AbstractEventLoop | None, Bus] = {}

    @property
    def settings(self) -> Settings:
        """The settings this bus was opened from."""
        return self._settings

    @property
    def events_subject(self) -> str:
        """This deployment's subject of normalised events."""
        return live.events_subject(self._settings.bus_namespace)

    @property
    def alerts_subject(self) -> str:
        """This deployment's subject of stored alert hits."""
        return live.alerts_subject(self._settings.bus_namespace)

    async def __call__(self) -> Bus:
        """The bus to publish on from the running loop."""
        return await self._open(None if self._shared else asyncio.get_running_loop())

    async def close_current(self) -> None:
        """Close the bus the running loop publishes on (when the loop's server stops)."""
        key = None if self._shared else asyncio.get_running_loop()
        bus = self._buses.pop(key, None)
        if bus is not None:
            await bus.close()

    async def own(self) -> Bus:
        """A bus for this loop alone (a consumer waits on it); close it with :meth:`release`."""
        return await open_bus(self._settings.bus_url, store_path=self._file, queue_for=write_lock)

    async def release(self, bus: Bus) -> None:
        """Close a bus from :meth:`own`."""
        await bus.close()

    async def _open(self, loop: asyncio.AbstractEventLoop | None) -> Bus:
        found = self._buses.get(loop)
        if found is None:
            opened = await open_bus(
                self._settings.bus_url, store_path=self._file, queue_for=write_lock
            )
            found = self._buses.setdefault(loop, opened)
            if found is not opened:  # another request opened it first
                await opened.close()
        return found


def live_rules(settings: Settings) -> RuleSet:
    """The centre's Sigma rules for the live pipeline; a rule that fails to load is named.

    None configured: an empty set (the managed rules, :class:`live.LiveRules`, run alone).
    """
    if not settings.live_rules:
        return RuleSet()
    ruleset = load_rules(list(settings.live_rules))
    if not ruleset.rules:
        raise ConfigError("live_rules", "no rule loaded from the paths given")
    return ruleset


class StageThread(LoopThread):
    """A stage's worker in a thread of its own, with its own loop and bus, stopped with
    the server (or the `worker` command)."""

    name = "stage"

    def __init__(self, buses: LiveBus, store: Store) -> None:
        super().__init__()
        self._buses = buses
        self._store = store

    async def _serve(self, stop: asyncio.Event) -> None:
        bus = await self._buses.own()
        try:
            await self._work(bus, stop)
        finally:
            await self._buses.release(bus)

    async def _work(self, bus: Bus, stop: asyncio.Event) -> None:
        raise NotImplementedError


class DetectThread(StageThread):
    """The detect worker: events to alerts."""

    name = "detect"

    def __init__(self, buses: LiveBus, store: Store, ruleset: RuleSet) -> None:
        super().__init__(buses, store)
        poll = buses.settings.rules_poll_seconds
        self.rules = live.LiveRules(store, ruleset, poll_seconds=poll)
        self.worker: live.DetectWorker | None = None
        self.watchlists = Watchlists(store)
        self.sightings = SightingReporter(store)

    async def _work(self, bus: Bus, stop: asyncio.Event) -> None:
        settings = self._buses.settings
        self.worker = live.DetectWorker(
            bus,
            self._store,
            self.rules,
            subject=self._buses.events_subject,
            dedup_seconds=settings.alert_dedup_seconds,
            alerts_subject=self._buses.alerts_subject,
            watchlist=self.watchlists,
            sightings=self.sightings,
            patterns=self.watchlists.patterns,
        )
        await asyncio.to_thread(self.watchlists.refresh_or_log)  # the first events already match
        await asyncio.to_thread(self.rules.refresh)  # and meet the managed rules
        refresher = asyncio.create_task(self.watchlists.run(stop))
        try:
            await self.worker.run(stop)
        finally:
            stop.set()
            await refresher


def grouping_rules(settings: Settings) -> GroupingRules:
    """The incident grouping rules the settings give (docs/operations.md, incidents)."""
    return GroupingRules(
        by_host=settings.fuse_by_host,
        by_user=settings.fuse_by_user,
        by_observable=settings.fuse_by_observable,
        window=timedelta(seconds=settings.fuse_window_seconds),
    )


def campaign_rules(settings: Settings) -> CampaignRules:
    """The campaign heuristics the settings give (docs/posture.md)."""
    return CampaignRules(
        by_network=settings.campaign_by_network,
        ipv4_prefix=settings.campaign_ipv4_prefix,
        ipv6_prefix=settings.campaign_ipv6_prefix,
        by_registered_domain=settings.campaign_by_registered_domain,
        by_url_host=settings.campaign_by_url_host,
        by_chain=settings.campaign_by_chain,
        chain_length=settings.campaign_chain_length,
        chain_window=timedelta(seconds=settings.campaign_chain_window_seconds),
    )


def posture_desk(settings: Settings, store: Store) -> live.PostureDesk:
    """Posture with the formula's parameters the settings give (docs/posture.md)."""
    rules = PostureRules(
        half_life=timedelta(seconds=settings.posture_half_life_seconds),
        thresholds=settings.posture_thresholds,
    )
    return live.PostureDesk(store, rules, settings.posture_min_group)


class FuseThread(StageThread):
    """The fuse worker: alert hits to incidents."""

    name = "fuse"

    def __init__(self, buses: LiveBus, store: Store) -> None:
        super().__init__(buses, store)
        self.worker: live.FuseWorker | None = None

    async def _work(self, bus: Bus, stop: asyncio.Event) -> None:
        settings = self._buses.settings
        self.worker = live.FuseWorker(
            bus,
            self._store,
            grouping_rules(settings),
            subject=self._buses.alerts_subject,
            campaigns=campaign_rules(settings),
            posture=posture_desk(settings, self._store),
            posture_every=settings.posture_every_seconds,
        )
        await self.worker.run(stop)
