"""TLP badges in FIRST's colours, for display only: the gate decides in ``policy/markings``.

The marking ids are the pinned STIX ids of TLP 1.0 and 2.0 (a test checks this table
against the gate's); the colours are FIRST's TLP 2.0 colours on black.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Badge:
    """A TLP label and the CSS class that draws it."""

    label: str
    css: str


CLEAR, GREEN = Badge("TLP:CLEAR", "tlp-clear"), Badge("TLP:GREEN", "tlp-green")
AMBER, STRICT = Badge("TLP:AMBER", "tlp-amber"), Badge("TLP:AMBER+STRICT", "tlp-amber")
RED = Badge("TLP:RED", "tlp-red")
UNMARKED = Badge("unmarked", "tlp-none")

BADGES: dict[str, Badge] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": CLEAR,
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": RED,
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": CLEAR,
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": GREEN,
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": AMBER,
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": STRICT,
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": RED,
}


def badges(marking_refs: Iterable[str]) -> list[Badge]:
    """The TLP badges of an object's markings (``unmarked`` when it has none)."""
    found = [BADGES[ref] for ref in marking_refs if ref in BADGES]
    return found or [UNMARKED]
