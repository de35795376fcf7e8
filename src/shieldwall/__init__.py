"""Shieldwall: an open, integrated cyber defence centre.

The package is laid out as the flow it implements (see docs/architecture.md):
ingest -> normalise -> detect -> fuse -> share -> respond, above policy, store, bus,
schema, config and model; runtime wires them; api, web and cli are the entry points.
"""

__version__ = "0.1.0"
