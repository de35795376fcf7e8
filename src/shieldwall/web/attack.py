"""ATT&CK: a matrix heat map of the techniques seen in the alerts this person may see.

Columns are the Enterprise tactics in kill-chain order, cells the techniques seen (a
technique under each of its tactics), shaded by how many alerts name it; each cell links to
those alerts. Names come from the ATT&CK table shipped offline (``shieldwall attack load``
replaces it). Filters: member and time range.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import APIRouter, Request, Response

from shieldwall.scan import load_catalogue
from shieldwall.web import reads
from shieldwall.web.guard import guarded
from shieldwall.web.render import page
from shieldwall.web.session import Session, services

router = APIRouter(prefix="/console/attack", include_in_schema=False)
TACTICS = (
    "reconnaissance",
    "resource-development",
    "initial-access",
    "execution",
    "persistence",
    "privilege-escalation",
    "defense-evasion",
    "credential-access",
    "discovery",
    "lateral-movement",
    "collection",
    "command-and-control",
    "exfiltration",
    "impact",
)
RANGES = {"1": 1, "7": 7, "30": 30, "all": 0}
SHADES = 5
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Cell:
    """A technique seen, its count and its shade (1 to ``SHADES``)."""

    technique: str
    name: str
    count: int
    shade: int


def matrix(counts: Counter[str], data_dir: Path | None) -> list[tuple[str, list[Cell]]]:
    """Tactic columns with the seen techniques, most seen first; unknown ids in "other"."""
    catalogue = load_catalogue(data_dir)
    top = max(counts.values(), default=1)
    columns: dict[str, list[Cell]] = {tactic: [] for tactic in (*TACTICS, "other")}
    for technique_id, count in counts.most_common():
        technique = catalogue.technique(technique_id)
        shade = max(1, min(SHADES, 1 + (SHADES - 1) * count // top))
        cell = Cell(technique.id, technique.name, count, shade)
        tactics = [t for t in technique.tactics if t in columns] or ["other"]
        for tactic in tactics:
            columns[tactic].append(cell)
    return [
        (catalogue.tactic_name(tactic) or tactic.replace("-", " ").title(), cells)
        for tactic, cells in columns.items()
        if cells or tactic != "other"
    ]


@router.get("")
def heat_map(request: Request, member: str = "", days: str = "30") -> Response:
    """The heat map of techniques seen, for a member and a time range."""
    started = time.perf_counter()
    span = RANGES.get(days, 30)

    def build(session: Session) -> Response:
        svc = services(request)
        since = datetime.now(UTC) - timedelta(days=span) if span else EPOCH
        counts, members, alert_count = reads.techniques_seen(svc, session.principal, since, member)
        ctx = {
            "title": "ATT&CK",
            "columns": matrix(counts, svc.settings.data_dir),
            "members": members,
            "member": member,
            "days": days,
            "ranges": RANGES,
            "alert_count": alert_count,
        }
        return page(request, "attack.html", session, ctx, started=started)

    return guarded(request, build)
