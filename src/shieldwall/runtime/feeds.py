"""The feed worker: scheduled TAXII pulls into the intelligence store, in or beside `up`.

``shieldwall up`` runs it as a background thread when feeds are configured
(:class:`FeedWorker`: started before the API, stopped when the API shuts down);
``shieldwall intel pull --loop`` runs the same loop in the foreground of a worker process.
Every configured feed must name the member that receives its objects; that is checked
before anything starts, so a misconfiguration fails at start-up, not at the first pull.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping

from shieldwall.runtime.wiring import Services
from shieldwall.share.intel.feed_sink import IntelSink, check_feed_organisations
from shieldwall.share.taxii_client.runner import FeedRunner
from shieldwall.share.taxii_client.state import StoreFeedStates

log = logging.getLogger(__name__)

STOP_TIMEOUT_SECONDS = 30.0


def feed_runner(services: Services, env: Mapping[str, str]) -> FeedRunner:
    """A runner over the configured feeds, storing into the intelligence store."""
    feeds = services.settings.taxii_feeds
    check_feed_organisations(services.store, feeds)
    sink = IntelSink(services.store, feeds)
    return FeedRunner(feeds, sink, StoreFeedStates(services.store), env=env)


class FeedWorker:
    """Runs :meth:`FeedRunner.run_forever` in a thread until :meth:`stop`."""

    def __init__(self, runner: FeedRunner) -> None:
        self._runner = runner
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="shieldwall-feeds", daemon=True)

    @property
    def running(self) -> bool:
        """True while the loop thread is alive."""
        return self._thread.is_alive()

    def start(self) -> None:
        """Start pulling in the background."""
        self._thread.start()

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> bool:
        """Ask the loop to stop and wait for it (a pull in flight finishes its page).

        Returns False when the thread did not end in time; it is a daemon thread, so the
        process still exits, and the next run resumes from the last saved page.
        """
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        log.info("feed worker started")
        self._runner.run_forever(self._stop)
        log.info("feed worker stopped")
