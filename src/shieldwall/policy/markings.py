"""The pinned TLP marking table: TLP is resolved by marking-definition id, never by content.

stix2 and stix2-validator accept a tampered TLP 2.0 marking definition (the AMBER+STRICT id
carrying ``name: TLP:CLEAR``), so trusting what an inbound definition *says* would let a
partner widen an audience by editing JSON. Instead the ids below are pinned, exactly as
``docs/conformance/tlp.md`` lists them, with the canonical content of each definition; an
inbound definition that reuses a pinned id with any other content is refused.

Marking refs that are not in this table (statements, custom markings) carry no TLP meaning
here: an object whose refs name no pinned id is *unmarked* and takes its producer's default.
A TLP look-alike under an unpinned id therefore narrows (to the default), never widens.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shieldwall.model.errors import InputError
from shieldwall.model.sharing import TlpLevel

TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP1_CREATED = "2017-01-20T00:00:00.000Z"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"


@dataclass(frozen=True, slots=True)
class PinnedMarking:
    """One pinned marking definition: its id, TLP level, version and canonical JSON."""

    id: str
    level: TlpLevel
    tlp_version: int
    canonical: Mapping[str, Any]


def _tlp1(ident: str, level: TlpLevel, word: str) -> PinnedMarking:
    canonical = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": ident,
        "created": TLP1_CREATED,
        "definition_type": "tlp",
        "name": f"TLP:{word.upper()}",
        "definition": {"tlp": word},
    }
    return PinnedMarking(ident, level, 1, canonical)


def _tlp2(ident: str, level: TlpLevel) -> PinnedMarking:
    canonical = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": ident,
        "created": TLP2_CREATED,
        "name": level.label,
        "extensions": {
            TLP2_EXTENSION_ID: {
                "extension_type": "property-extension",
                "tlp_2_0": level.label.removeprefix("TLP:").lower(),
            }
        },
    }
    return PinnedMarking(ident, level, 2, canonical)


TLP1_WHITE = _tlp1(
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", TlpLevel.CLEAR, "white"
)
TLP1_GREEN = _tlp1(
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", TlpLevel.GREEN, "green"
)
TLP1_AMBER = _tlp1(
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", TlpLevel.AMBER, "amber"
)
TLP1_RED = _tlp1("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", TlpLevel.RED, "red")

TLP_CLEAR = _tlp2("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", TlpLevel.CLEAR)
TLP_GREEN = _tlp2("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", TlpLevel.GREEN)
TLP_AMBER = _tlp2("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", TlpLevel.AMBER)
TLP_AMBER_STRICT = _tlp2(
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", TlpLevel.AMBER_STRICT
)
TLP_RED = _tlp2("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", TlpLevel.RED)

PINNED: Mapping[str, PinnedMarking] = {
    marking.id: marking
    for marking in (
        TLP1_WHITE,
        TLP1_GREEN,
        TLP1_AMBER,
        TLP1_RED,
        TLP_CLEAR,
        TLP_GREEN,
        TLP_AMBER,
        TLP_AMBER_STRICT,
        TLP_RED,
    )
}
"""Every pinned id, TLP 1.0 and 2.0, to its definition."""

LEVEL_BY_ID: Mapping[str, TlpLevel] = {ident: marking.level for ident, marking in PINNED.items()}
"""Pinned id to level: the one lookup the hot path makes."""

TLP2_BY_LEVEL: Mapping[TlpLevel, PinnedMarking] = {
    m.level: m for m in PINNED.values() if m.tlp_version == 2
}
"""The TLP 2.0 definition to write for a level (Shieldwall marks new objects with TLP 2.0)."""


def level_of(marking_id: str) -> TlpLevel | None:
    """The TLP level a marking-definition id stands for, or None when it is not pinned."""
    return LEVEL_BY_ID.get(marking_id)


def most_restrictive(marking_refs: Iterable[str]) -> TlpLevel | None:
    """The narrowest TLP level among the refs; None when no ref is a pinned TLP id."""
    found: TlpLevel | None = None
    for ref in marking_refs:
        level = LEVEL_BY_ID.get(ref)
        if level is not None and (found is None or level > found):
            found = level
    return found


def check_marking_definition(obj: Mapping[str, Any], *, source: str = "") -> PinnedMarking | None:
    """Refuse an inbound marking definition that reuses a pinned id with other content.

    Returns the pinned definition the inbound one matches, or None for an unpinned id
    (such definitions pass untouched: they carry no TLP meaning here).
    Custom ``x_`` properties are ignored (OpenCTI adds ``x_opencti_*`` to the standard
    definitions); every other property must equal the canonical one, timestamps compared
    as instants so ``...00.000Z`` and ``...00Z`` agree.
    """
    ident = obj.get("id")
    pinned = PINNED.get(ident) if isinstance(ident, str) else None
    if pinned is None:
        return None
    inbound = {key: value for key, value in obj.items() if not key.startswith("x_")}
    differing = sorted(
        key
        for key in inbound.keys() | pinned.canonical.keys()
        if not _same_property(key, inbound.get(key), pinned.canonical.get(key))
    )
    if differing:
        raise InputError(
            f"marking definition {ident} reuses a pinned {pinned.level.label} id with "
            f"different content (properties: {', '.join(differing)})",
            source=source,
            place=str(ident),
        )
    return pinned


def _same_property(key: str, inbound: object, canonical: object) -> bool:
    if key == "created" and isinstance(inbound, str) and isinstance(canonical, str):
        return _instant(inbound) == _instant(canonical)
    return inbound == canonical


def _instant(text: str) -> datetime | str:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return parsed.astimezone(UTC) if parsed.tzinfo else text
