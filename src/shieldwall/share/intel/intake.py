"""Reading files for ``intel import``: STIX bundles, MISP events and MISP feed directories.

The kind is decided by content, never by file name: a JSON object with an ``objects`` list
is a STIX bundle (or TAXII envelope); one with ``Event`` (or a bare event: ``uuid`` and
``Orgc``) is a MISP event; a list of those, or MISP's restSearch ``{"response": [...]}``, is
a MISP search result. A directory holding
``manifest.json`` is a MISP feed (read with its integrity checks, M1); any other directory
is walked for ``*.json`` files, each judged on its own.

Every unit read becomes one :class:`Intake`: the objects to store with the audience their
source gave them (MISP distribution and sharing groups, M4; none for STIX, whose audience
comes from its markings and the import's addressing) and the parts that were skipped.
A file or event that cannot be read is yielded as an :class:`InputError` and the rest go on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shieldwall.model.errors import InputError, IntegrityError
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.share.intel.publish import Submission
from shieldwall.share.misp import (
    FeedOptions,
    MispImportContext,
    load_json,
    misp_event_to_stix,
    read_feed,
)
from shieldwall.share.misp.feed import MANIFEST, read_manifest
from shieldwall.store.protocols import UnitOfWork

MAX_FILE_BYTES = 256 * 1024 * 1024
"""A single file larger than this is refused before it is read."""
_ORG_ADDRESSED = frozenset({TlpLevel.AMBER, TlpLevel.AMBER_STRICT})
"""Levels whose audience is the recipient organisations (RED names people, anywhere)."""


@dataclass
class Intake:
    """One bundle or one MISP event, ready for :func:`~.publish.publish_received`."""

    source: str
    kind: str
    """``stix`` or ``misp``."""
    submissions: list[Submission] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class IntakeOptions:
    """How MISP data is read: the importing organisation's context and feed strictness."""

    context: MispImportContext
    feed: FeedOptions = field(default_factory=FeedOptions)
    known_events: Mapping[str, int] = field(default_factory=dict)
    """MISP event uuid → timestamp already held: older or equal events are skipped (M2)."""


def read_path(path: Path, options: IntakeOptions) -> Iterator[Intake | InputError]:
    """Everything importable under ``path``, in a stable order."""
    if path.is_dir() and (path / MANIFEST).is_file():
        yield from _feed(path, options)
    elif path.is_dir():
        for file in sorted(p for p in path.rglob("*.json") if p.is_file()):
            yield from _file(file, options)
    else:
        yield from _file(path, options)


def _file(path: Path, options: IntakeOptions) -> Iterator[Intake | InputError]:
    source = str(path)
    try:
        document = _load(path, options)
    except InputError as exc:
        yield exc
        return
    yield from _judge(document, source, options)


def read_bytes(
    data: bytes, source: str, options: IntakeOptions, max_bytes: int = MAX_FILE_BYTES
) -> Iterator[Intake | InputError]:
    """One uploaded file (a STIX bundle, MISP event or list of events), judged by content."""
    limits = options.context.limits
    try:
        document = load_json(data, source=source, max_bytes=max_bytes, max_depth=limits.max_depth)
    except InputError as exc:
        yield exc
        return
    yield from _judge(document, source, options)


def _judge(document: Any, source: str, options: IntakeOptions) -> Iterator[Intake | InputError]:
    if isinstance(document, Mapping) and isinstance(document.get("response"), list | dict):
        document = _search_response(document["response"])  # MISP restSearch output
    if isinstance(document, Mapping) and isinstance(document.get("objects"), list):
        yield Intake(source, "stix", [Submission(obj) for obj in document["objects"]])
    elif _is_event(document):
        yield _misp(document, source, options)
    elif isinstance(document, list) and document and all(_is_event(d) for d in document):
        for index, event in enumerate(document):
            yield _misp(event, f"{source}[{index}]", options)
    else:
        yield InputError(
            "neither a STIX bundle nor a MISP event (or list of events)", source=source
        )


def _load(path: Path, options: IntakeOptions) -> Any:
    limits = options.context.limits
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                f"{size} bytes exceeds the limit of {MAX_FILE_BYTES}", source=str(path)
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror}", source=str(path)) from None
    return load_json(data, source=str(path), max_bytes=MAX_FILE_BYTES, max_depth=limits.max_depth)


def _search_response(response: Any) -> Any:
    """The events of MISP's ``{"response": [...]}`` (restSearch), as a list of events."""
    return [response] if isinstance(response, Mapping) else response


def _is_event(document: Any) -> bool:
    if not isinstance(document, Mapping):
        return False
    return isinstance(document.get("Event"), Mapping) or ("uuid" in document and "Orgc" in document)


def _feed(directory: Path, options: IntakeOptions) -> Iterator[Intake | InputError]:
    try:
        for item in read_feed(directory, known=options.known_events, options=options.feed):
            if item.event is not None:
                yield _misp(item.event, str(directory / f"{item.uuid}.json"), options)
            elif item.problem is not None:
                yield _as_input_error(item.problem, str(directory / f"{item.uuid}.json"))
    except (InputError, IntegrityError) as exc:
        yield _as_input_error(exc, str(directory / MANIFEST))


def _misp(document: Mapping[str, Any], source: str, options: IntakeOptions) -> Intake | InputError:
    context = dataclasses.replace(options.context, source=source)
    try:
        result = misp_event_to_stix(document, context=context)
    except InputError as exc:
        return exc
    problems = [str(problem) for problem in result.problems]
    for obj in result.objects:
        if obj["type"] == "report":
            problems.extend(_narrow_report(obj, result.descriptors, source))
    submissions = [
        Submission(obj, result.descriptors.get(str(obj["id"]))) for obj in result.objects
    ]
    return Intake(source, "misp", submissions, problems)


def _narrow_report(
    report: dict[str, Any], descriptors: Mapping[str, ObjectDescriptor], source: str
) -> list[str]:
    """Keep in the event's report only what reaches everyone the report reaches.

    A MISP event shows each reader the attributes their distribution allows; a STIX report
    is withheld from anyone who may not see all it names. So the report names only the
    parts at least as widely shared as itself; narrower parts are still stored, with their
    own audience, and are reported here.
    """
    own = descriptors.get(str(report["id"]))
    refs = [str(ref) for ref in report.get("object_refs", ())]
    if own is None:
        return []
    kept = [ref for ref in refs if ref in descriptors and _reaches(descriptors[ref], own)]
    if not kept:
        kept = [str(report["created_by_ref"])] if report.get("created_by_ref") else refs[:1]
    report["object_refs"] = kept
    left = len([ref for ref in refs if ref not in kept])
    if not left:
        return []
    return [
        f"{source}: {report['id']}: {left} parts shared more narrowly than the event are "
        "stored on their own but not named by its report"
    ]


def _reaches(content: ObjectDescriptor, container: ObjectDescriptor) -> bool:
    """True when every reader of ``container`` surely may read ``content`` (sound, strict).

    Both come from one import, so they share a producer, who sees both. Level: the content
    is no more restrictive. Organisations: when the content is limited to some (addressed,
    or at an organisation-addressed level), the container is limited to a subset of them.
    Communities, ``REL TO`` and named people: the container's are within the content's.
    """
    if content.tlp is None or container.tlp is None or content.tlp > container.tlp:
        return False
    content_orgs = _limited_to(content)
    if content_orgs is not None:
        container_orgs = _limited_to(container)
        if container_orgs is None or not container_orgs <= content_orgs:
            return False
    if content.community_ids and not (
        container.community_ids and container.community_ids <= content.community_ids
    ):
        return False
    if content.tlp is TlpLevel.RED and not (
        container.recipient_person_ids <= content.recipient_person_ids
    ):
        return False
    if content.releasable_to is None:
        return True
    return container.releasable_to is not None and container.releasable_to <= content.releasable_to


def _limited_to(made: ObjectDescriptor) -> frozenset[str] | None:
    """The organisations an object is limited to (its producer always sees it); None: any."""
    if made.recipient_org_ids or made.tlp in _ORG_ADDRESSED:
        return made.recipient_org_ids | {made.producer_org_id}
    return None


def _as_input_error(error: InputError | IntegrityError, source: str) -> InputError:
    if isinstance(error, InputError):
        return error
    return InputError(str(error), source=source)


def held_events(tx: UnitOfWork, org_id: str, path: Path, options: FeedOptions) -> dict[str, int]:
    """MISP event uuid → timestamp the organisation already holds, for a feed's events.

    An event is held as its report (``report--<uuid>``) whose version is the event's
    timestamp, so a re-run of a feed import reads only events that changed (M2, M3).
    """
    if not (path.is_dir() and (path / MANIFEST).is_file()):
        return {}
    try:
        entries = read_manifest(path, options)
    except (InputError, IntegrityError):
        return {}  # read_path reports the manifest's problem
    reports = {f"report--{entry.uuid}": entry.uuid for entry in entries}
    held: dict[str, int] = {}
    for stix_id, versions in tx.intel.versions_of(reports).items():
        own = [v.version for v in versions if v.audience.producer_org_id == org_id]
        if own:
            held[reports[stix_id]] = int(max(own).timestamp())
    return held
