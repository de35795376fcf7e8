"""Resolve Sigma ATT&CK tags (``attack.t1059.001``) to techniques with names and tactics.

The catalogue reads the compact table made by :mod:`shieldwall.detect.attack.table`: the one
in the data directory when ``shieldwall attack load`` wrote one, else the one shipped in the
package, so a scan resolves techniques offline.

Tag rules, as Sigma writes them: ``attack.tNNNN`` and ``attack.tNNNN.NNN`` are techniques;
``attack.execution`` (a tactic), ``attack.g0007`` (a group) and ``attack.s0002`` (software)
are not. A revoked id resolves to the technique that replaced it; an id the table does not
know is kept with an empty name rather than dropped, so the output never hides a rule's tag.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from shieldwall.detect.attack.table import TABLE_FORMAT
from shieldwall.model.detection import AttackTechnique
from shieldwall.model.errors import InputError

TABLE_NAME = "techniques.json"
DATA_SUBDIR = "attack"
_TECHNIQUE_TAG = re.compile(r"^attack\.(t\d{4}(?:\.\d{3})?)$", re.IGNORECASE)


class AttackCatalogue:
    """Technique and tactic lookups over one compact table."""

    def __init__(self, table: Mapping[str, Any], *, origin: str = "") -> None:
        if table.get("format") != TABLE_FORMAT:
            raise InputError(
                f"unsupported ATT&CK table format {table.get('format')!r}; expected "
                f"{TABLE_FORMAT} (run `shieldwall attack load` again)",
                source=origin,
            )
        self.origin = origin
        self.notice: str = table.get("notice", "")
        self._techniques: dict[str, dict[str, Any]] = dict(table["techniques"])
        self._tactics: dict[str, dict[str, str]] = dict(table.get("tactics", {}))
        self._revoked_by: dict[str, str] = dict(table.get("revoked_by", {}))

    def __len__(self) -> int:
        return len(self._techniques)

    def technique(self, technique_id: str) -> AttackTechnique:
        """The technique for an id such as ``T1059.001`` (revoked ids follow their successor)."""
        wanted = technique_id.upper()
        wanted = self._revoked_by.get(wanted, wanted)
        entry = self._techniques.get(wanted)
        if entry is None:
            return AttackTechnique(id=wanted, name="")
        return AttackTechnique(id=wanted, name=entry["name"], tactics=tuple(entry["tactics"]))

    def resolve(self, tags: Iterable[str]) -> tuple[AttackTechnique, ...]:
        """The techniques named by a rule's tags, in tag order, without duplicates."""
        found: dict[str, AttackTechnique] = {}
        for tag in tags:
            match = _TECHNIQUE_TAG.match(tag.strip())
            if match:
                technique = self.technique(match.group(1))
                found.setdefault(technique.id, technique)
        return tuple(found.values())

    def tactic_name(self, shortname: str) -> str | None:
        """Display name of a tactic (``defense-evasion`` → ``Defense Evasion``), if known."""
        entry = self._tactics.get(shortname.lower())
        return entry["name"] if entry else None

    def is_tactic_tag(self, tag: str) -> bool:
        """True for a tactic tag such as ``attack.execution`` (not a technique)."""
        prefix, _, name = tag.strip().lower().partition(".")
        return prefix == "attack" and name in self._tactics


def table_path(data_dir: Path) -> Path:
    """Where ``shieldwall attack load`` writes the table inside the data directory."""
    return data_dir / DATA_SUBDIR / TABLE_NAME


def load_catalogue(data_dir: Path | None = None) -> AttackCatalogue:
    """The data directory's table when present, else the table shipped in the package."""
    if data_dir is not None:
        override = table_path(data_dir)
        if override.is_file():
            return _catalogue_from_file(override)
    return _shipped_catalogue()


@lru_cache(maxsize=1)
def _shipped_catalogue() -> AttackCatalogue:
    text = resources.files(__package__).joinpath(TABLE_NAME).read_text(encoding="utf-8")
    return AttackCatalogue(json.loads(text), origin=f"{__package__}/{TABLE_NAME}")


def _catalogue_from_file(path: Path) -> AttackCatalogue:
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=str(path)) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not JSON: {exc}", source=str(path)) from exc
    if not isinstance(table, dict) or not isinstance(table.get("techniques"), dict):
        raise InputError("not an ATT&CK technique table", source=str(path))
    return AttackCatalogue(table, origin=str(path))
