"""Import and export of CACAO 2.0 playbooks: the front of the parser and the validator.

``load_playbook`` reads JSON (or the YAML authoring form) under budgets, checks the
specification's requirements and Shieldwall's, and returns the playbook or refuses it
with every problem listed. ``export_playbook`` writes the document back as canonical JSON
(sorted keys): importing an export gives the same playbook, and exporting it again gives
the same bytes. Signatures are kept as they are: they are made over the JCS form
(:mod:`.signatures`), so the export's layout does not break them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

from shieldwall.respond.playbooks.actions import Endpoint
from shieldwall.respond.playbooks.document import Playbook
from shieldwall.respond.playbooks.limits import DEFAULT_LIMITS, PlaybookLimits
from shieldwall.respond.playbooks.problems import PlaybookRefusedError, Problem
from shieldwall.respond.playbooks.reading import read_json, read_yaml
from shieldwall.respond.playbooks.signatures import (
    ANY_SIGNER,
    SignaturePolicy,
    check_signatures,
    private_key,
    sign_playbook,
)
from shieldwall.respond.playbooks.structure import check_document
from shieldwall.respond.playbooks.validation import check_workflow

Form = Literal["json", "yaml"]


def problems_of(
    value: Any,
    endpoints: Sequence[Endpoint] = (),
    limits: PlaybookLimits = DEFAULT_LIMITS,
    *,
    signing: SignaturePolicy = ANY_SIGNER,
    now: datetime | None = None,
) -> tuple[Playbook, list[Problem]]:
    """The playbook read from a JSON value and every problem found in it, its signatures
    checked under ``signing`` at ``now`` (once their shape is right)."""
    playbook, problems = check_document(value, limits)
    if isinstance(value, Mapping):
        problems += check_workflow(playbook, endpoints)
        if not any(p.place.startswith("signatures") for p in problems):
            problems += check_signatures(value, signing, now or datetime.now(UTC))
    return playbook, sorted(set(problems))


def load_playbook(
    data: bytes | str,
    *,
    endpoints: Sequence[Endpoint] = (),
    form: Form = "json",
    limits: PlaybookLimits = DEFAULT_LIMITS,
    signing: SignaturePolicy = ANY_SIGNER,
    now: datetime | None = None,
) -> Playbook:
    """A checked playbook; PlaybookRefusedError listing every problem otherwise."""
    value = _read(data, form, limits)
    playbook, problems = problems_of(value, endpoints, limits, signing=signing, now=now)
    if problems:
        raise PlaybookRefusedError(problems)
    return playbook


def export_playbook(playbook: Playbook) -> bytes:
    """The playbook as canonical CACAO 2.0 JSON."""
    return orjson.dumps(playbook.document, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)


def sign_text(
    data: bytes | str,
    key_pem: bytes,
    *,
    signee: str,
    now: datetime,
    valid_until: datetime | None = None,
    form: Form = "json",
    limits: PlaybookLimits = DEFAULT_LIMITS,
) -> bytes:
    """A playbook's text signed once more (:mod:`.signatures`), as exported JSON.

    The specification's own checks come first (a signed broken playbook helps nobody:
    PlaybookRefusedError lists what to fix); Shieldwall's rules are the importer's."""
    value = _read(data, form, limits)
    _, problems = check_document(value, limits)
    if problems:
        raise PlaybookRefusedError(problems)
    signed = sign_playbook(
        value,
        private_key(key_pem),
        signee=signee or str(value.get("created_by", "")),
        now=now,
        valid_until=valid_until,
    )
    return export_playbook(Playbook(signed, {}))


def _read(data: bytes | str, form: Form, limits: PlaybookLimits) -> Any:
    if form == "yaml":
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        return read_yaml(text, limits)
    return read_json(data, limits)
