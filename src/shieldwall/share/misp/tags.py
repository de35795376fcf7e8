"""MISP tags: TLP (M5, M15), confidence (M19), local tags (M11) and plain labels.

TLP tags resolve to *pinned* marking ids, never to the text of a marking definition. Tags
are matched case-insensitively and with spaces trimmed; ``tlp:white`` is TLP 1.0 wording
for ``tlp:clear``. A ``tlp:`` tag Shieldwall does not know (``tlp:ex:chr``,
``tlp:unclear``) carries no level: the object stays unmarked and so takes its producer's
default, which is never open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shieldwall.model.sharing import TlpLevel
from shieldwall.share.misp.fields import Where, flag, records, text
from shieldwall.share.misp.limits import MispLimits

TLP_BY_TAG: Mapping[str, TlpLevel] = {
    "tlp:clear": TlpLevel.CLEAR,
    "tlp:white": TlpLevel.CLEAR,
    "tlp:green": TlpLevel.GREEN,
    "tlp:amber": TlpLevel.AMBER,
    "tlp:amber+strict": TlpLevel.AMBER_STRICT,
    "tlp:red": TlpLevel.RED,
}
TAG_BY_TLP: Mapping[TlpLevel, str] = {
    TlpLevel.CLEAR: "tlp:clear",
    TlpLevel.GREEN: "tlp:green",
    TlpLevel.AMBER: "tlp:amber",
    TlpLevel.AMBER_STRICT: "tlp:amber+strict",
    TlpLevel.RED: "tlp:red",
}

CONFIDENCE_PREFIX = 'misp:confidence-level="'
CONFIDENCE_BY_TAG: Mapping[str, int] = {
    "completely-confident": 100,
    "usually-confident": 75,
    "fairly-confident": 50,
    "rarely-confident": 25,
    "unconfident": 0,
}
"""The MISP ``confidence-level`` taxonomy and the numerical values it declares."""

GALAXY_TAG_PREFIX = "misp-galaxy:"


@dataclass(frozen=True, slots=True)
class TagSet:
    """What the tags of one MISP entity mean to Shieldwall."""

    tlp: TlpLevel | None = None
    confidence: int | None = None
    labels: tuple[str, ...] = ()
    local: tuple[str, ...] = ()

    def under(self, parent: TagSet) -> TagSet:
        """This entity's tags with its parent's (event's) TLP and confidence inherited.

        TLP: the most restrictive of both; confidence: the entity's own when it has one.
        """
        levels = [level for level in (self.tlp, parent.tlp) if level is not None]
        return TagSet(
            tlp=max(levels) if levels else None,
            confidence=self.confidence if self.confidence is not None else parent.confidence,
            labels=self.labels,
            local=self.local,
        )


def read_tags(entity: Mapping[str, Any], where: Where, limits: MispLimits) -> TagSet:
    """Classify the ``Tag`` list of an event, attribute or object."""
    levels: list[TlpLevel] = []
    confidences: list[int] = []
    labels: list[str] = []
    local: list[str] = []
    for index, tag in enumerate(records(entity, "Tag", where, limit=limits.max_tags)):
        here = where.at(f"Tag[{index}]")
        name = text(tag, "name", here, limit=1024).strip()
        if not name:
            continue
        if flag(tag, "local", here):
            local.append(name)
            continue
        lowered = name.lower()
        if lowered in TLP_BY_TAG:
            levels.append(TLP_BY_TAG[lowered])
        elif lowered.startswith("tlp:"):
            continue
        elif lowered.startswith(CONFIDENCE_PREFIX) and lowered[len(CONFIDENCE_PREFIX) : -1] in (
            CONFIDENCE_BY_TAG
        ):
            confidences.append(CONFIDENCE_BY_TAG[lowered[len(CONFIDENCE_PREFIX) : -1]])
        elif not lowered.startswith(GALAXY_TAG_PREFIX):
            labels.append(name)
    return TagSet(
        tlp=max(levels) if levels else None,
        confidence=min(confidences) if confidences else None,
        labels=tuple(dict.fromkeys(labels)),
        local=tuple(dict.fromkeys(local)),
    )


def confidence_tag(confidence: int) -> str:
    """The taxonomy tag nearest to a STIX confidence (0–100); ties go to the lower value."""
    name = min(
        CONFIDENCE_BY_TAG,
        key=lambda tag: (abs(CONFIDENCE_BY_TAG[tag] - confidence), CONFIDENCE_BY_TAG[tag]),
    )
    return f'{CONFIDENCE_PREFIX}{name}"'


def export_tags(
    level: TlpLevel | None, confidence: int | None, labels: Iterable[str]
) -> list[dict[str, Any]]:
    """The ``Tag`` list for an exported entity: TLP, confidence and labels, never local.

    Labels that look like TLP or confidence tags are dropped: the pinned marking and the
    STIX confidence are the only sources of those, so a label cannot contradict them.
    """
    names: list[str] = []
    if level is not None:
        names.append(TAG_BY_TLP[level])
    if confidence is not None:
        names.append(confidence_tag(confidence))
    for label in labels:
        lowered = label.lower()
        if not lowered.startswith(("tlp:", CONFIDENCE_PREFIX)):
            names.append(label)
    return [{"name": name, "local": False} for name in dict.fromkeys(names)]
