"""Managed rule texts: hostile input, read under budgets, identified, checked whole.

A rule text comes from a person of a member (or of the centre) and runs on every event
of its set, so it is read like any member-supplied file of ``shieldwall scan``: the
bounded YAML loader (aliases, expansion, nesting), pySigma's checks, our compiler and the
regular-expression budgets of :mod:`shieldwall.bounded`. A text with any load error is
refused whole, with every error listed (:class:`~shieldwall.model.errors.RuleSetError`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from shieldwall.bounded import load_yaml_documents
from shieldwall.detect.sigma.loader import RuleSet, load_rule_texts
from shieldwall.model.errors import InputError, RuleError, RuleSetError
from shieldwall.model.rules import CENTRE_SET, RuleVersion

MAX_RULE_BYTES = 256 * 1024
"""A rule text longer than this is refused (SigmaHQ's longest rule is under 20 KiB)."""
MAX_RULES_PER_SET = 5000
"""Rules one set may hold (the SigmaHQ Windows rules are about 2,400)."""
_RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


def source_of(owner: str, rule_id: str) -> str:
    """The name problems and alerts give a managed rule's text."""
    return f"rules/{'centre' if owner == CENTRE_SET else owner}/{rule_id}"


def identify(text: str) -> tuple[str, str]:
    """The rule's id (its first document's ``id``, else ``name``) and title.

    RuleSetError when the text is too long, is not bounded YAML, or names no usable id.
    """
    if len(text.encode()) > MAX_RULE_BYTES:
        raise RuleSetError(
            "rule text refused", (RuleError(f"longer than {MAX_RULE_BYTES} bytes", source="rule"),)
        )
    try:
        documents = load_yaml_documents(text, source="rule")
    except InputError as exc:
        raise RuleSetError("rule text refused", (RuleError(exc.reason, source="rule"),)) from exc
    first = next((doc for doc in documents if isinstance(doc, dict)), None)
    if first is None:
        raise RuleSetError("rule text refused", (RuleError("no YAML mapping", source="rule"),))
    rule_id = str(first.get("id") or first.get("name") or "")
    if not _RULE_ID.match(rule_id):
        problem = RuleError(
            "the first document needs an id (or name) of letters, digits, '.', '_', '-'",
            source="rule",
        )
        raise RuleSetError("rule text refused", (problem,))
    return rule_id, str(first.get("title") or rule_id)[:500]


def check(text: str, owner: str, rule_id: str, context: Sequence[RuleVersion]) -> RuleSet:
    """Load the text as it would run; RuleSetError with every load error it has.

    ``context`` is the rest of what the text may name (a correlation's base rules in its
    own set or the centre's); it is loaded beside the text only when the text holds a
    correlation, and its own problems are not the text's.
    """
    source = source_of(owner, rule_id)
    others = texts_of(context) if "correlation" in text else []
    ruleset = load_rule_texts([(source, text.encode()), *others])
    mine = [problem for problem in ruleset.problems if problem.source == source]
    if mine:
        raise RuleSetError(f"{len(mine)} load error(s) in the rule", tuple(mine))
    if not any(rule.source == source for rule in ruleset.rules) and not ruleset.correlations:
        raise RuleSetError("rule text refused", (RuleError("no rule in the text", source=source),))
    return ruleset


def texts_of(versions: Iterable[RuleVersion]) -> list[tuple[str, bytes]]:
    """The enabled versions as named texts for :func:`load_rule_texts`."""
    return [
        (source_of(version.owner, version.rule_id), version.text.encode())
        for version in versions
        if version.enabled
    ]
