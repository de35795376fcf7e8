"""TAXII 2.1 client: pull remote collections on a schedule, push to partner collections.

Public surface: :class:`FeedRunner` (scheduled and on-demand pulls), :class:`FeedPuller`
(one run of one feed), :class:`Pusher` / :func:`open_pusher` (POST with status polling),
the :class:`ObjectSink` contract the intelligence store implements, and
:class:`StoreFeedStates` (resume points in the store, audited). Modules behind it:
:mod:`.transport` (guarded httpx client), :mod:`.guard` (no SSRF), :mod:`.envelope`
(hostile-input parsers), :mod:`.ratelimit`, :mod:`.credentials`. The intelligence
store's sink is :class:`shieldwall.share.intel.feed_sink.IntelSink`.
"""

from shieldwall.share.taxii_client.errors import RefusedTargetError, RemoteError
from shieldwall.share.taxii_client.pull import FeedPuller, PullReport
from shieldwall.share.taxii_client.push import Pusher, PushReport, open_pusher
from shieldwall.share.taxii_client.runner import FeedRunner
from shieldwall.share.taxii_client.sink import ObjectSink, SinkResult, version_key
from shieldwall.share.taxii_client.state import FeedStates, StoreFeedStates

__all__ = [
    "FeedPuller",
    "FeedRunner",
    "FeedStates",
    "ObjectSink",
    "PullReport",
    "PushReport",
    "Pusher",
    "RefusedTargetError",
    "RemoteError",
    "SinkResult",
    "StoreFeedStates",
    "open_pusher",
    "version_key",
]
