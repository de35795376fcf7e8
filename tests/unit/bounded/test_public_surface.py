"""The bounded readers' front door: the stages and applications use exactly these names."""

from __future__ import annotations

import shieldwall.bounded

EXPECTED = {
    "DEFAULT_LIMITS",
    "MATCH_BUDGET_SECONDS",
    "MemberRegex",
    "YamlLimits",
    "compile_member_regex",
    "load_yaml",
    "load_yaml_documents",
}


def test_the_front_door_exports_exactly_the_public_names() -> None:
    """A change to what callers may use is a deliberate edit of this list."""
    assert set(shieldwall.bounded.__all__) == EXPECTED


def test_every_exported_name_exists() -> None:
    missing = [n for n in shieldwall.bounded.__all__ if not hasattr(shieldwall.bounded, n)]
    assert missing == []
