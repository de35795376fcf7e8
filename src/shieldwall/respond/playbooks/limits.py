"""Budgets for playbooks that members and partners supply (hostile input).

A playbook is a program written by someone else: its size, its nesting, how many steps,
variables and commands it holds, and how long a run may loop are all bounded before any
of it is trusted. Each limit is refused with a :class:`LimitExceededError` naming it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PlaybookLimits:
    """What one playbook may hold, and what one run may do."""

    max_bytes: int = 1_000_000
    """The document's size, as JSON or YAML text."""
    max_depth: int = 32
    """Nesting of JSON objects and lists."""
    max_steps: int = 500
    """Workflow steps in one playbook."""
    max_variables: int = 200
    """Playbook variables, and variables of one step."""
    max_commands: int = 20
    """Commands of one action step."""
    max_string: int = 100_000
    """Characters of one string value."""
    max_iterations: int = 100
    """Passes through one while-condition's body in one run."""
    max_steps_per_run: int = 5_000
    """Steps one run may take in all (loops and branches included)."""
    max_nesting: int = 4
    """Playbooks a playbook-action step may call through, one inside the other."""


DEFAULT_LIMITS = PlaybookLimits()
