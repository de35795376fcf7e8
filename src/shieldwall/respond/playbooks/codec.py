"""Import and export of CACAO 2.0 playbooks: the front of the parser and the validator.

``load_playbook`` reads JSON (or the YAML authoring form) under budgets, checks the
specification's requirements and Shieldwall's, and returns the playbook or refuses it
with every problem listed. ``export_playbook`` writes the document back as canonical JSON
(sorted keys): importing an export gives the same playbook, and exporting it again gives
the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import orjson

from shieldwall.respond.playbooks.actions import Endpoint
from shieldwall.respond.playbooks.document import Playbook
from shieldwall.respond.playbooks.limits import DEFAULT_LIMITS, PlaybookLimits
from shieldwall.respond.playbooks.problems import PlaybookRefusedError, Problem
from shieldwall.respond.playbooks.reading import read_json, read_yaml
from shieldwall.respond.playbooks.structure import check_document
from shieldwall.respond.playbooks.validation import check_workflow

Form = Literal["json", "yaml"]


def problems_of(
    value: Any, endpoints: Sequence[Endpoint] = (), limits: PlaybookLimits = DEFAULT_LIMITS
) -> tuple[Playbook, list[Problem]]:
    """The playbook read from a JSON value and every problem found in it."""
    playbook, problems = check_document(value, limits)
    if isinstance(value, Mapping):
        problems += check_workflow(playbook, endpoints)
    return playbook, sorted(set(problems))


def load_playbook(
    data: bytes | str,
    *,
    endpoints: Sequence[Endpoint] = (),
    form: Form = "json",
    limits: PlaybookLimits = DEFAULT_LIMITS,
) -> Playbook:
    """A checked playbook; PlaybookRefusedError listing every problem otherwise."""
    if form == "yaml":
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        value = read_yaml(text, limits)
    else:
        value = read_json(data, limits)
    playbook, problems = problems_of(value, endpoints, limits)
    if problems:
        raise PlaybookRefusedError(problems)
    return playbook


def export_playbook(playbook: Playbook) -> bytes:
    """The playbook as canonical CACAO 2.0 JSON."""
    return orjson.dumps(playbook.document, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)
