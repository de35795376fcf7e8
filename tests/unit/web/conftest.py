"""The console's world, built once per module (the tests read it; the few that change an
incident use their own)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.unit.web.world import Console, build_console


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    built = build_console(tmp_path_factory.mktemp("console"))
    yield built
    built.services.close()
