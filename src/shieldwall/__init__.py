"""Shieldwall: an open, integrated cyber defence centre.

The package is laid out as layers (see docs/architecture.md): the front ends ``cli``,
``server``, ``api`` and ``web``; ``runtime``, which builds services from settings; the
applications ``scan``, ``share`` and ``access``; the stages of the flow ``ingest`` →
``normalise`` → ``detect``; the one sharing gate ``policy``; the infrastructure ``store``,
``bus`` and ``config``; and ``model`` at the bottom. Imports only point down.
"""

__version__ = "0.1.0"
