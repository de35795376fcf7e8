"""The rule cache: each rule file's compiled rules, as recipes, keyed by what they depend on.

Loading 2,407 rules costs seconds (YAML, pySigma, our compile); a warm scan should not pay
that again. An entry holds the recipes (:mod:`.recipes`) of one rule file whose every
document became a compiled rule, under a key made of the SHA-256 of the file's bytes, the
engine (a digest of the modules that compile rules, and pySigma's version) and the
placeholder values. So a changed file, engine or placeholder file misses, and only that
file is compiled again.

The entries of one rule set (the rule paths given) share one pack file,
``<cache dir>/rules-<digest of the paths>.json``. Packs are JSON (orjson), never pickle: an
entry is data, and a bad one cannot run code. Still, a pack is not trusted: it is read with
a size limit, only from a regular file the current user owns that no one else may write;
a pack with any flaw (truncated, corrupt, foreign) is ignored as a whole, an entry that
does not rebuild is ignored alone, and what was ignored is compiled and written again.
Packs are written atomically (a temporary file renamed into place), so a reader never sees
half of one; a cache that cannot be written only costs speed.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson

from shieldwall.detect.sigma.compiler import CompiledRule
from shieldwall.detect.sigma.placeholders import Placeholders
from shieldwall.detect.sigma.recipes import rule_from_recipe, rule_recipe
from shieldwall.model.errors import RuleError

CACHE_FORMAT = 1
"""Bumped when the entry layout changes."""
MAX_PACK_BYTES = 256 * 1024 * 1024
"""A larger pack is ignored (SigmaHQ's 2,407 Windows rules make about 11 MB)."""
ENGINE_MODULES = (
    "compiler",
    "conditions",
    "leaves",
    "logsource",
    "modifiers",
    "placeholders",
    "recipes",
    "regex_literals",
    "selection",
    "sources",
    "strings",
    "typed",
    "values",
)
"""The modules whose code decides what a rule compiles to: their bytes are in every key."""


@lru_cache(maxsize=1)
def engine_version() -> str:
    """Digest of the compiling modules and the pySigma version (a code change misses)."""
    digest = hashlib.sha256(f"format {CACHE_FORMAT}\n".encode())
    try:
        digest.update(metadata.version("pysigma").encode())
    except metadata.PackageNotFoundError:
        digest.update(b"pysigma ?")
    here = Path(__file__).parent
    for name in ENGINE_MODULES:
        digest.update((here / f"{name}.py").read_bytes())
    return digest.hexdigest()


class RuleCache:
    """One pack of entries for one rule set (the rule paths given), under ``directory``.

    The entries of a rule set live in one file, read once and written once per load: on
    this machine creating a file costs about a millisecond, so 2,407 entry files took
    longer to write than the rules took to compile. Only the entries of the files read in
    this load are written back, so the pack does not grow with old versions.
    """

    def __init__(self, directory: Path, placeholders: Placeholders, paths: Sequence[Path]) -> None:
        self.directory = directory
        self.values = placeholders
        values = sorted((name, list(items)) for name, items in placeholders.items())
        salt = hashlib.sha256(engine_version().encode())
        salt.update(orjson.dumps(values))
        self._salt = salt.digest()
        named = sorted(str(path.resolve()) for path in paths)
        digest = hashlib.sha256(orjson.dumps(named)).hexdigest()[:32]
        self.path = directory / f"rules-{digest}.json"
        self._stored: dict[str, Any] | None = None
        self._kept: dict[str, Any] = {}
        self._changed = False
        self.hits = 0

    def key(self, data: bytes) -> str:
        """The key of a rule file with these bytes."""
        return hashlib.sha256(self._salt + hashlib.sha256(data).digest()).hexdigest()

    def _entries(self) -> dict[str, Any]:
        if self._stored is None:
            self._stored = _read_pack(self.path)
        return self._stored

    def get(self, key: str, source: str) -> list[CompiledRule] | None:
        """The file's compiled rules, or None when the entry is missing or not sound."""
        recipes = self._entries().get(key)
        if not isinstance(recipes, list) or not recipes:
            return None
        try:
            rules = [rule_from_recipe(recipe, source) for recipe in recipes]
        except (RuleError, KeyError, TypeError, ValueError):
            return None
        self._kept[key] = recipes
        self.hits += 1
        return rules

    def put(self, key: str, rules: Sequence[CompiledRule]) -> None:
        """Keep a file's rules for :meth:`save`; a rule that cannot be stored skips the file."""
        try:
            self._kept[key] = [rule_recipe(rule) for rule in rules]
        except RuleError:
            return
        self._changed = True

    def save(self) -> None:
        """Write the pack when an entry was added or an old one is gone; failures cost speed."""
        if not self._changed and len(self._kept) == len(self._entries()):
            return
        payload = orjson.dumps({"format": CACHE_FORMAT, "entries": self._kept})
        if len(payload) > MAX_PACK_BYTES:
            return
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            _write_atomically(self.path, payload)
        except OSError:
            return


def _read_pack(path: Path) -> dict[str, Any]:
    """The entries of a pack; nothing when it is missing, foreign, too large or corrupt."""
    raw = _read_own(path)
    if raw is None:
        return {}
    try:
        pack: Any = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return {}
    if not isinstance(pack, dict) or pack.get("format") != CACHE_FORMAT:
        return {}
    entries = pack.get("entries")
    return entries if isinstance(entries, dict) else {}


def _read_own(path: Path) -> bytes | None:
    """The file's bytes if it is a regular file of ours that no one else can write."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_PACK_BYTES:
            return None
        if hasattr(os, "getuid") and (
            info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        ):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_PACK_BYTES + 1)
        return data if len(data) <= MAX_PACK_BYTES else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _write_atomically(path: Path, payload: bytes) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
