"""Pushing objects to a partner's TAXII 2.1 collection (POST), with status polling.

The caller selects the objects through the sharing gate for the partner's organisation
(a :class:`~shieldwall.policy.Viewer`); this module adds the egress check of the partner
channel on top (``max_tlp``; unmarked objects never leave) and reports, per object, what
the partner accepted, refused (with its message) or still had pending at the deadline.
A batch the partner refuses outright (HTTP error, malformed status) is reported and the
remaining batches are still sent.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from shieldwall.config.taxii import TaxiiPartner
from shieldwall.model.errors import InputError
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy import (
    Channel,
    ChannelKind,
    ObjectDescriptor,
    egress_decision,
    marking_refs_of,
)
from shieldwall.share.taxii_client.envelope import Status, StatusDetail, parse_status
from shieldwall.share.taxii_client.errors import RemoteError
from shieldwall.share.taxii_client.guard import Resolver
from shieldwall.share.taxii_client.transport import TaxiiHttp, resource_path

log = logging.getLogger(__name__)

CEILINGS = {
    "clear": TlpLevel.CLEAR,
    "green": TlpLevel.GREEN,
    "amber": TlpLevel.AMBER,
    "amber+strict": TlpLevel.AMBER_STRICT,
}


@dataclass
class PushReport:
    """Per-object outcome of one push."""

    partner: str
    sent: int = 0
    succeeded: list[str] = field(default_factory=list)
    failed: list[StatusDetail] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    withheld: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every object sent was accepted."""
        return not (self.failed or self.pending or self.errors)


class Pusher:
    """Sends objects to one partner collection."""

    def __init__(
        self,
        partner: TaxiiPartner,
        http: TaxiiHttp,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.partner = partner
        self._http = http
        self._clock = clock
        self._sleep = sleep
        self._channel = Channel(partner.name, ChannelKind.FEED, CEILINGS[partner.max_tlp])
        self._path = resource_path(
            "collections", partner.collection_id, "objects", remote=partner.name
        )

    def close(self) -> None:
        """Release the HTTP connections."""
        self._http.close()

    def push(
        self,
        objects: Iterable[Mapping[str, Any]],
        tombstones: Iterable[Mapping[str, Any]] = (),
    ) -> PushReport:
        """Send the objects the channel may carry, in batches; report each one's fate.

        ``tombstones`` (revoked versions, :mod:`shieldwall.share.taxii_server.tombstones`)
        carry no marking by design and were cleared for this channel by their former
        audience, so they skip the marking check and follow the objects.
        """
        report = PushReport(self.partner.name)
        outgoing = itertools.chain(self._allowed(objects, report), tombstones)
        for batch in _batches(outgoing, self.partner.objects_per_request):
            report.sent += len(batch)
            try:
                status = self._wait(self._post(batch))
            except (RemoteError, InputError) as exc:
                report.errors.append(f"{len(batch)} objects not confirmed: {exc}")
                log.warning("partner %s: batch refused: %s", self.partner.name, exc)
                continue
            _merge(report, status)
        return report

    def _allowed(
        self, objects: Iterable[Mapping[str, Any]], report: PushReport
    ) -> Iterator[Mapping[str, Any]]:
        for index, obj in enumerate(objects):
            ident = str(obj.get("id", f"#{index}"))
            try:
                refs = marking_refs_of(obj, source=self.partner.name)
            except InputError as exc:
                report.withheld.append((ident, exc.reason))
                continue
            decision = egress_decision(self._channel, ObjectDescriptor(ident, "", refs))
            if decision.allowed:
                yield obj
            else:
                report.withheld.append((ident, decision.reason.value))

    def _post(self, batch: list[Mapping[str, Any]]) -> Status:
        body = json.dumps({"objects": batch}, separators=(",", ":")).encode()
        reply = self._http.post(self._path, body)
        return parse_status(reply.body, source=self.partner.name, place=reply.place)

    def _wait(self, status: Status) -> Status:
        """Poll the status resource until complete or the partner's deadline passes."""
        deadline = self._clock() + self.partner.status_timeout_seconds
        while not status.complete and self._clock() < deadline:
            self._sleep(self.partner.status_poll_seconds)
            reply = self._http.get(resource_path("status", status.id, remote=self.partner.name))
            status = parse_status(reply.body, source=self.partner.name, place=reply.place)
        return status


def _batches(objects: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    batch: list[Mapping[str, Any]] = []
    for obj in objects:
        batch.append(obj)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _merge(report: PushReport, status: Status) -> None:
    report.succeeded.extend(detail.id for detail in status.successes)
    report.failed.extend(status.failures)
    report.pending.extend(detail.id for detail in status.pendings)
    if not status.complete and not status.pendings and status.pending_count:
        report.pending.append(f"{status.pending_count} objects of status {status.id}")


def open_pusher(
    partner: TaxiiPartner, *, env: Mapping[str, str], resolve: Resolver | None = None
) -> Pusher:
    """A pusher with its own guarded HTTP client (close it with ``pusher.close()``)."""
    http = TaxiiHttp(partner, env=env, max_bytes=partner.max_bytes, resolve=resolve)
    return Pusher(partner, http)
