"""The intelligence page's filters (kind, TLP, observable), shared by the page and its
downloads, so a download holds what the page lists (and what else the gate lets through)."""

from __future__ import annotations

from shieldwall import share

KINDS: dict[str, tuple[str, ...]] = {
    "indicator": ("indicator",),
    "sighting": ("sighting",),
    "all": (),
}
TLPS = ("", "clear", "green", "amber", "amber+strict", "red")
"""The TLP filter's choices ("": any); the search takes FIRST's labels."""


def kind_of(kind: str) -> str:
    """A known kind, else indicators."""
    return kind if kind in KINDS else "indicator"


def tlp_of(tlp: str) -> str:
    """A known TLP choice, else any."""
    return tlp if tlp in TLPS else ""


def search_filters(kind: str, q: str, tlp: str) -> share.SearchFilters:
    """The desk's filters for the page's choices (unknown choices fall back to the defaults)."""
    text = q.strip()[:500]
    chosen = tlp_of(tlp)
    return share.SearchFilters(
        types=KINDS[kind_of(kind)],
        observables=(text,) if text else (),
        markings=(f"TLP:{chosen.upper()}",) if chosen else (),
    )
