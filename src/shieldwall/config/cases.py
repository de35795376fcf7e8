"""Settings of cases: SLA minutes by severity, and the largest evidence file kept.

In TOML::

    case_evidence_max_bytes = 1048576
    [shieldwall.case_sla_minutes]
    critical = 30
    high = 120

From the environment: ``SHIELDWALL_CASE_SLA_MINUTES="critical=30,high=120"``. A severity
not named keeps its default (docs/cases.md); an unknown severity or a non-positive number
of minutes is refused, naming the key.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

SLA_SEVERITIES = ("informational", "low", "medium", "high", "critical")
MAX_SLA_MINUTES = 365 * 24 * 60


def parse_sla(value: Any) -> Any:
    """``severity=minutes,...`` from the environment into a table; checked either way."""
    if isinstance(value, str):
        table: dict[str, Any] = {}
        for item in filter(None, (part.strip() for part in value.split(","))):
            severity, sep, minutes = item.partition("=")
            if not sep:
                raise ValueError(f"{item!r} is not severity=minutes")
            table[severity.strip()] = minutes.strip()
        value = table
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(SLA_SEVERITIES))
        if unknown:
            raise ValueError(f"unknown severities {unknown}; known: {', '.join(SLA_SEVERITIES)}")
    return value


SlaMinutes = Annotated[
    dict[str, Annotated[int, Field(ge=1, le=MAX_SLA_MINUTES)]],
    BeforeValidator(parse_sla),
]
"""Minutes to containment by severity."""
