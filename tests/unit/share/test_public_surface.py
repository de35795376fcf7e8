"""The sharing front door: front ends use exactly these names (issue 8)."""

from __future__ import annotations

import pytest

import shieldwall.share

EXPECTED = {
    "Addressing",
    "ExportFormat",
    "ExportResult",
    "Exported",
    "ImportOutcome",
    "ImportRequest",
    "IntelDesk",
    "MeasureFeed",
    "PageRequest",
    "PullReport",
    "PushReport",
    "SearchFilters",
    "SightingReport",
    "TaxiiPage",
    "TaxiiServer",
    "ValidationPool",
    "WatchSet",
    "WatchSighting",
    "changed_indicators",
    "cursor_codec",
    "export_intel",
    "import_intel",
    "last_change",
    "list_intel",
    "push_to_partner",
    "report_watch_sighting",
    "watch_entries",
    "watch_sets",  # issue 10: every member's watchlist from one read
    "write_misp_feed",
    "ProtectiveTerm",  # issue 11: what a member may block, for runtime/measures.py
    "protective_terms",
    "Download",  # issue 12: a person's download and upload, for the console
    "Upload",
}


def test_the_front_door_exports_exactly_the_public_names() -> None:
    """A change to what front ends may use is a deliberate edit of this list."""
    assert set(shieldwall.share.__all__) == EXPECTED


def test_every_exported_name_exists() -> None:
    missing = [name for name in shieldwall.share.__all__ if not hasattr(shieldwall.share, name)]
    assert missing == []


def test_search_filters_are_keyword_only() -> None:
    """Eleven filters in a row are unreadable and easy to swap: they are named (issue 8)."""
    with pytest.raises(TypeError):
        shieldwall.share.SearchFilters(["indicator"])  # type: ignore[misc]
