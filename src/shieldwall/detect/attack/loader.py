"""``shieldwall attack load FILE``: turn a STIX bundle into the data directory's table."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from shieldwall.detect.attack.catalogue import AttackCatalogue, table_path
from shieldwall.detect.attack.table import build_table, read_bundle, table_json
from shieldwall.model.errors import InputError


def install_bundle(bundle_path: Path, data_dir: Path) -> AttackCatalogue:
    """Build the table from ``bundle_path`` and write it atomically under ``data_dir``.

    Written to a temporary file and renamed, so a scan running meanwhile reads the old table
    or the new one, never half of one.
    """
    table = build_table(read_bundle(bundle_path), source_name=bundle_path.name)
    target = table_path(data_dir)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=".techniques-", dir=target.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(table_json(table))
        Path(temp_name).replace(target)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", source=str(target)) from exc
    return AttackCatalogue(table, origin=str(target))
