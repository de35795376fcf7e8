"""Shared fixtures of the scan runtime tests."""

from __future__ import annotations

import pytest

from shieldwall.detect.attack import AttackCatalogue, build_table

CATALOGUE_BUNDLE = {
    "objects": [
        {
            "type": "attack-pattern",
            "id": "attack-pattern--1",
            "name": "PowerShell",
            "external_references": [{"source_name": "mitre-attack", "external_id": "T1059.001"}],
            "kill_chain_phases": [{"kill_chain_name": "mitre-attack", "phase_name": "execution"}],
        }
    ]
}


@pytest.fixture
def catalogue() -> AttackCatalogue:
    return AttackCatalogue(build_table(CATALOGUE_BUNDLE, source_name="test"))
