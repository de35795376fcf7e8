"""The message bus between the stages: a protocol, with embedded and NATS implementations.

Stages import only what is re-exported here (the protocol and the sequence tracker); the
composition root opens a concrete bus with :func:`shieldwall.bus.factory.open_bus`::

    shieldwall.bus.protocol   Bus, Consumer, Delivery: what stages speak to
    shieldwall.bus.sequence   SequenceTracker: end-to-end sequence checking
    shieldwall.bus.names      the rules for subject, consumer and key names
    shieldwall.bus.embedded   the embedded bus (asyncio front) ...
    shieldwall.bus.sqlite_log ... over a durable log in the store's SQLite file
    shieldwall.bus.nats       NATS JetStream (never imported by stages) ...
    shieldwall.bus.nats_consumer ... and its pull consumer
    shieldwall.bus.nats_client  ... its connection, taking replies off the parser as bytes
    shieldwall.bus.nats_replies ... and the pub-acks and confirmations read from them
    shieldwall.bus.factory    open_bus(url)
"""

from shieldwall.bus.protocol import Bus, Consumer, Delivery
from shieldwall.bus.sequence import SequenceTracker

__all__ = ["Bus", "Consumer", "Delivery", "SequenceTracker"]
