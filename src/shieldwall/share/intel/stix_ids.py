"""STIX identifiers: one form, RFC 4122, for every id and every reference on every path.

STIX 2.1 (2.9) makes an identifier ``type--UUID`` with an RFC 4122 UUID; the libraries
accept upper-case hex and any variant, so ``x-misp-object--66666666-6666-6666-6666-
666666666666`` passed while other non-RFC 4122 ids were refused, and ``INDICATOR--`` and
``indicator--`` case variants of one UUID could be two objects. Here an id is accepted
only in its canonical form: a lower-case type, two hyphens, lower-case hex, the version
nibble 1–8 (RFC 4122 and its successor RFC 9562) and the RFC 4122 variant (8, 9, a, b).
Upper case is refused, not folded, so what is stored is exactly what was sent. The same
holds for every ``*_ref`` and ``*_refs`` value anywhere in the object (extensions,
granular markings, MIME parts), except inside a STIX 2.0 observed-data's ``objects``,
whose references are local keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

ID = re.compile(
    r"^[a-z0-9](?:[a-z0-9-]{0,248}[a-z0-9])?--"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)
MAX_DEPTH = 64


def id_error(value: object) -> str:
    """Why ``value`` is not a STIX identifier in canonical form ("" when it is one)."""
    if isinstance(value, str) and ID.match(value):
        return ""
    shown = repr(value)[:90]
    if isinstance(value, str) and ID.match(value.lower()):
        return f"identifier {shown} must be lower-case"
    return f"{shown} is not a STIX identifier with an RFC 4122 UUID (type--UUID)"


def reference_errors(obj: Mapping[str, Any]) -> Iterator[str]:
    """Every problem with the object's id and its references, with the property's path."""
    problem = id_error(obj.get("id"))
    if problem:
        yield f"id: {problem}"
    stack: list[tuple[str, Any, int]] = [("", obj, 0)]
    while stack:
        path, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            yield f"{path or 'object'}: nested too deeply to check its references"
            return
        if isinstance(value, Mapping):
            for key, inner in value.items():
                # the path is spelled only for what is checked or walked: most properties
                # are scalars that hold no reference, and this runs on every object posted
                is_ref = isinstance(key, str) and key.endswith(("_ref", "_refs"))
                if not is_ref and not isinstance(inner, (Mapping, list)):
                    continue
                here = f"{path}.{key}" if path else str(key)
                if key == "objects" and depth == 0 and obj.get("type") == "observed-data":
                    continue  # STIX 2.0 embedded observables: refs are local keys
                if is_ref and key.endswith("_ref") and not isinstance(inner, dict):
                    yield from _check(here, [inner])
                elif is_ref and key.endswith("_refs") and isinstance(inner, list):
                    yield from _check(here, inner)
                elif isinstance(inner, (Mapping, list)):  # scalars hold no reference
                    stack.append((here, inner, depth + 1))
        elif isinstance(value, list):
            stack.extend(
                (f"{path}[{i}]", inner, depth + 1)
                for i, inner in enumerate(value)
                if isinstance(inner, (Mapping, list))
            )


def _check(path: str, values: list[Any]) -> Iterator[str]:
    for value in values:
        problem = id_error(value)
        if problem:
            yield f"{path}: {problem}"
