"""An interim sink: pulled objects appended to one JSON-lines file per feed.

Until the intelligence store's sink is wired in (``shieldwall.share.intel``), the CLI and
workers hand pulled objects to this spool so a pull is useful and inspectable on its own.
It honours the sink contract: a version already spooled, keyed by (id, version), is counted
unchanged and not written again, so re-runs append nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from shieldwall.share.taxii_client.envelope import Rejected
from shieldwall.share.taxii_client.sink import SinkResult, version_key


class SpoolSink:
    """Appends new object versions to ``<directory>/<feed>.jsonl``."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._known: dict[str, set[tuple[str, str]]] = {}

    def path(self, source: str) -> Path:
        """The spool file of one feed (feed names are restricted to safe characters)."""
        return self._directory / f"{source}.jsonl"

    def _keys(self, source: str) -> set[tuple[str, str]]:
        if source not in self._known:
            path = self.path(source)
            lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
            self._known[source] = {version_key(json.loads(line)) for line in lines if line}
        return self._known[source]

    def accept(self, source: str, objects: Sequence[Mapping[str, Any]]) -> SinkResult:
        """Append the versions not spooled yet."""
        known = self._keys(source)
        fresh: list[str] = []
        rejected: list[Rejected] = []
        for index, obj in enumerate(objects):
            key = version_key(obj)
            if key in known:
                continue
            try:
                fresh.append(json.dumps(obj, separators=(",", ":"), ensure_ascii=False))
            except (TypeError, ValueError) as exc:
                rejected.append(Rejected(place=f"batch[{index}]", reason=str(exc)))
                continue
            known.add(key)
        if fresh:
            self._directory.mkdir(parents=True, exist_ok=True)
            with self.path(source).open("a", encoding="utf-8") as handle:
                handle.write("\n".join(fresh) + "\n")
        unchanged = len(objects) - len(fresh) - len(rejected)
        return SinkResult(stored=len(fresh), unchanged=unchanged, rejected=tuple(rejected))
