"""A CACAO 2.0 playbook as Shieldwall reads it: the document and typed views of its steps.

The document is kept whole (every property, extensions included) so that an export is
the playbook that was imported; :class:`Step` is the part of each workflow step the
validator and the runner need. Identifiers follow the specification's
``<object-type>--<UUID>`` form (``playbook--…``, ``action--…``, ``http-api--…``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SPEC_VERSION = "cacao-2.0"
STEP_TYPES = frozenset(
    {
        "start",
        "end",
        "action",
        "playbook-action",
        "parallel",
        "if-condition",
        "while-condition",
        "switch-condition",
    }
)
UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
IDENTIFIER = re.compile(rf"^([a-z][a-z0-9-]*[a-z0-9])--({UUID})$")
VARIABLE_NAME = re.compile(r"^__[A-Za-z0-9_]{1,100}__$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
"""RFC 3339 in UTC with exactly three digits of fractional seconds, as the spec asks."""

LINKS = ("on_completion", "on_success", "on_failure", "on_true", "on_false")
"""Step properties that point at one other step."""


def id_type(identifier: str) -> str | None:
    """The object type an identifier names (``action`` for ``action--…``), or None."""
    match = IDENTIFIER.match(identifier)
    return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class Step:
    """What the runner needs of one workflow step."""

    id: str
    type: str
    raw: Mapping[str, Any]

    def link(self, name: str) -> str | None:
        """The step a single-valued pointer (``on_success`` …) names, if any."""
        value = self.raw.get(name)
        return value if isinstance(value, str) else None

    @property
    def next_steps(self) -> list[str]:
        """A parallel step's branches."""
        value = self.raw.get("next_steps")
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

    @property
    def cases(self) -> dict[str, str]:
        """A switch's cases: value → the first step of its branch."""
        value = self.raw.get("cases")
        if not isinstance(value, Mapping):
            return {}
        return {str(k): _first(v) for k, v in value.items() if _first(v)}

    def successors(self) -> list[str]:
        """Every step this one may lead to, in a stable order."""
        found = [target for name in LINKS if (target := self.link(name))]
        return [*found, *self.next_steps, *self.cases.values()]

    @property
    def variables(self) -> Mapping[str, Any]:
        """The step's own variables (``step_variables``)."""
        value = self.raw.get("step_variables")
        return value if isinstance(value, Mapping) else {}

    @property
    def commands(self) -> list[Mapping[str, Any]]:
        """An action step's commands."""
        value = self.raw.get("commands")
        return [c for c in value if isinstance(c, Mapping)] if isinstance(value, list) else []


def _first(value: Any) -> str:
    """A case names a step (2.0 CS01) or, in drafts, a list whose first item starts it."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and isinstance(value[0], str):
        return str(value[0])
    return ""


@dataclass(frozen=True, slots=True)
class Playbook:
    """A parsed CACAO 2.0 playbook; ``document`` is its JSON, whole."""

    document: Mapping[str, Any]
    steps: Mapping[str, Step] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.document.get("id", ""))

    @property
    def name(self) -> str:
        return str(self.document.get("name", ""))

    @property
    def start(self) -> str:
        return str(self.document.get("workflow_start", ""))

    @property
    def exception_step(self) -> str | None:
        value = self.document.get("workflow_exception")
        return value if isinstance(value, str) else None

    @property
    def variables(self) -> Mapping[str, Any]:
        value = self.document.get("playbook_variables")
        return value if isinstance(value, Mapping) else {}

    @property
    def agents(self) -> Mapping[str, Any]:
        value = self.document.get("agent_definitions")
        return value if isinstance(value, Mapping) else {}

    @property
    def targets(self) -> Mapping[str, Any]:
        value = self.document.get("target_definitions")
        return value if isinstance(value, Mapping) else {}
