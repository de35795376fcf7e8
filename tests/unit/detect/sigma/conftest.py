"""Helpers for the Sigma tests: write small rules to a temp folder, load, match events."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from shieldwall.detect.engine import Engine
from shieldwall.detect.sigma.loader import RuleSelection, RuleSet, load_rules
from shieldwall.model.event import Event, SourceRef

WINDOWS_PROCESS = {"product": "windows", "category": "process_creation"}
SYSMON = "Microsoft-Windows-Sysmon/Operational"
_ids = itertools.count(1)


def rule_doc(
    detection: dict[str, Any], logsource: dict[str, Any] | None = None, **meta: Any
) -> dict[str, Any]:
    """A minimal valid Sigma rule document."""
    number = next(_ids)
    doc: dict[str, Any] = {
        "title": meta.pop("title", f"test rule {number}"),
        "id": meta.pop("id", f"00000000-0000-0000-0000-{number:012d}"),
        "logsource": logsource or {"product": "test"},
        "detection": detection,
        "level": meta.pop("level", "medium"),
    }
    doc.update(meta)
    return doc


def event(fields: dict[str, Any], fmt: str = "json") -> Event:
    """An event with the given fields (a Sysmon/Security event when fmt is evtx); any
    other is declared to be of the ``test`` product the rules here name."""
    extra = {} if fmt == "evtx" else {"logsource": {"product": "test"}}
    return Event(dict(fields), SourceRef("test"), format=fmt, extra=extra)  # type: ignore[arg-type]


class SigmaKit:
    """Loads rule documents from a temp folder and matches events."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._files = itertools.count(1)

    def write(self, *docs: dict[str, Any] | str, name: str | None = None) -> Path:
        path = self.folder / (name or f"rule{next(self._files)}.yml")
        texts = [d if isinstance(d, str) else yaml.safe_dump(d, sort_keys=False) for d in docs]
        path.write_text("---\n".join(texts), encoding="utf-8")
        return path

    def load(
        self,
        *docs: dict[str, Any] | str,
        selection: RuleSelection | None = None,
        placeholders: Path | None = None,
    ) -> RuleSet:
        if docs:
            self.write(*docs)
        return load_rules([self.folder], selection=selection, placeholders=placeholders)

    def matches(
        self,
        detection: dict[str, Any],
        fields: dict[str, Any],
        logsource: dict[str, Any] | None = None,
        fmt: str = "json",
    ) -> bool:
        """Does a one-rule rule set fire on one event? (fails on any load problem)"""
        folder = self.folder / f"case{next(self._files)}"
        folder.mkdir()
        (folder / "r.yml").write_text(
            yaml.safe_dump(rule_doc(detection, logsource)), encoding="utf-8"
        )
        ruleset = load_rules([folder])
        assert not ruleset.problems, [str(p) for p in ruleset.problems]
        assert len(ruleset.rules) == 1
        return bool(Engine(ruleset).match(event(fields, fmt)))


@pytest.fixture
def kit(tmp_path: Path) -> SigmaKit:
    return SigmaKit(tmp_path)


Matcher = Callable[[dict[str, Any], dict[str, Any]], bool]
