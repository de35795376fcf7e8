"""Bounds on one event, so a hostile record cannot make normalisation loop or balloon."""

from __future__ import annotations

MAX_DEPTH = 32
"""Nesting deeper than this (objects in objects) is refused; real logs stay under ten."""

MAX_FIELDS = 10_000
"""An event with more fields than this after flattening is refused; Windows has < 300."""
