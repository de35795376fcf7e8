"""The audience fields of an object (:class:`~shieldwall.model.sharing.Addressees`) as one
JSON column, for the tables of notifications and requests for assistance."""

from __future__ import annotations

from typing import Any

from shieldwall.model.sharing import Addressees


def audience_json(value: Addressees) -> dict[str, Any]:
    """The audience as a JSON object (sets as sorted lists; no REL TO limit as null)."""
    released = value.releasable_to
    return {
        "recipient_org_ids": sorted(value.recipient_org_ids),
        "recipient_person_ids": sorted(value.recipient_person_ids),
        "community_ids": sorted(value.community_ids),
        "releasable_to": None if released is None else sorted(released),
    }


def audience_fields(stored: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments of the audience fields from the JSON column."""
    released = stored.get("releasable_to")
    return {
        "recipient_org_ids": frozenset(stored.get("recipient_org_ids", ())),
        "recipient_person_ids": frozenset(stored.get("recipient_person_ids", ())),
        "community_ids": frozenset(stored.get("community_ids", ())),
        "releasable_to": None if released is None else frozenset(released),
    }
