"""The scan application's front door: front ends use exactly these names (issue 8)."""

from __future__ import annotations

import shieldwall.scan

EXPECTED = {
    "FORMATS",
    "AttackCatalogue",
    "DetectionEncoder",
    "OutputFormat",
    "RuleSelection",
    "ScanProgress",
    "ScanRun",
    "ScanSummary",
    "TableWriter",
    "encoder_for",
    "install_bundle",
    "load_catalogue",
    "default_jobs",
    "scan",
}


def test_the_front_door_exports_exactly_the_public_names() -> None:
    """A change to what front ends may use is a deliberate edit of this list."""
    assert set(shieldwall.scan.__all__) == EXPECTED


def test_every_exported_name_exists() -> None:
    missing = [name for name in shieldwall.scan.__all__ if not hasattr(shieldwall.scan, name)]
    assert missing == []
