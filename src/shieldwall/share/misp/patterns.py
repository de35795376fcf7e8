"""STIX patterns for MISP values: writing, validating and reading back simple ones (M6, M13).

Written patterns are one observation of ``path = literal`` comparisons joined by AND, and
every one is checked with stix2-patterns before it leaves the converter. Reading back is
deliberately narrow: only that same simple shape is turned into a MISP type and value;
anything richer (OR, FOLLOWEDBY, qualifiers, other operators) stays a ``stix2-pattern``
attribute, whole, rather than being half-understood.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from stix2patterns.validator import validate

from shieldwall.share.misp.observables import (
    ATTACHMENT_PATH,
    HASHES,
    Comparison,
    Literal,
    hash_path,
    observable_for,
)

_STRING = r"'(?:[^'\\]|\\.)*'"
_PATH = r"[a-z0-9-]+:[A-Za-z0-9_.\-'\[\]*]+"
_COMPARISON = re.compile(rf"\s*({_PATH})\s*=\s*({_STRING}|-?\d+)\s*")
_ALGORITHM_BY_NAME = {name: misp for misp, name in HASHES.items()}
_SINGLE: Mapping[str, str] = {
    "ipv4-addr:value": "ip-dst",
    "ipv6-addr:value": "ip-dst",
    "domain-name:value": "domain",
    "url:value": "url",
    "email-addr:value": "email-src",
    "email-message:subject": "email-subject",
    "file:name": "filename",
    "mutex:name": "mutex",
    "windows-registry-key:key": "regkey",
    "mac-addr:value": "mac-address",
    "autonomous-system:number": "AS",
    ATTACHMENT_PATH: "email-attachment",
}


def literal(value: Literal) -> str:
    """A pattern literal: integers bare, strings quoted with ``\\`` and ``'`` escaped."""
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def format_pattern(comparisons: Sequence[Comparison]) -> str:
    """One observation: ``[a = 'x' AND b = 1]``."""
    return "[" + " AND ".join(f"{path} = {literal(value)}" for path, value in comparisons) + "]"


def pattern_errors(pattern: str) -> list[str]:
    """The stix2-patterns validator's complaints; empty when the pattern is valid."""
    valid, errors = validate(pattern, ret_errs=True)
    return [] if valid else [str(error) for error in errors] or ["invalid pattern"]


def parse_simple(pattern: str) -> list[Comparison] | None:
    """The comparisons of ``[p = v AND …]``; None for any other shape."""
    text = pattern.strip()
    if not (text.startswith("[") and text.endswith("]")):
        return None
    comparisons: list[Comparison] = []
    position, body = 0, text[1:-1]
    while True:
        match = _COMPARISON.match(body, position)
        if match is None:
            return None
        comparisons.append((match.group(1), _unquote(match.group(2))))
        position = match.end()
        if position == len(body):
            return comparisons
        if body[position : position + 4] != "AND ":
            return None
        position += 4


def _unquote(token: str) -> Literal:
    if not token.startswith("'"):
        return int(token)
    return re.sub(r"\\(.)", r"\1", token[1:-1])


def _hash_of(path: str) -> tuple[str, str] | None:
    """(``file``, ``md5``) for ``file:hashes.MD5``; None when the path is not a hash."""
    sco_type, _, rest = path.partition(":")
    if not rest.startswith("hashes."):
        return None
    algorithm = _ALGORITHM_BY_NAME.get(rest[7:].strip("'"))
    return (sco_type, algorithm) if algorithm else None


def misp_value(
    comparisons: Sequence[Comparison], hint: str | None = None
) -> tuple[str, str] | None:
    """The MISP (type, value) the comparisons stand for; None when no type fits.

    ``hint`` (the original MISP type kept on the STIX object) wins when it gives exactly
    the same comparisons, so ``ip-src`` and ``hostname`` survive a round trip.
    """
    found = _candidate(dict(comparisons))
    if found is None or len(comparisons) != len(dict(comparisons)):
        return None
    if hint and hint != found[0]:
        try:
            again = observable_for(hint, found[1])
        except ValueError:
            again = None
        if again is not None and sorted(again.comparisons, key=str) == sorted(comparisons, key=str):
            return hint, found[1]
    return found


def _candidate(paths: Mapping[str, Literal]) -> tuple[str, str] | None:
    values = {path: str(value) for path, value in paths.items()}
    for side in ("src", "dst"):
        ref, port = f"network-traffic:{side}_ref.value", f"network-traffic:{side}_port"
        if values.keys() == {ref, port}:
            return f"ip-{side}|port", f"{values[ref]}|{values[port]}"
    registry = ("windows-registry-key:key", "windows-registry-key:values[*].data")
    if values.keys() == set(registry):
        return "regkey|value", f"{values[registry[0]]}|{values[registry[1]]}"
    resolves = "domain-name:resolves_to_refs[*].value"
    if values.keys() == {"domain-name:value", resolves}:
        return "domain|ip", f"{values['domain-name:value']}|{values[resolves]}"
    hashes = [(path, _hash_of(path)) for path in values]
    hashed = [(path, found) for path, found in hashes if found is not None]
    if len(hashed) == 1:
        return _hash_value(values, hashed[0][0], *hashed[0][1])
    if len(values) == 1:
        path, value = next(iter(values.items()))
        misp_type = _SINGLE.get(path)
        return (misp_type, value) if misp_type else None
    return None


def _hash_value(
    values: Mapping[str, str], path: str, sco_type: str, algorithm: str
) -> tuple[str, str] | None:
    rest = set(values) - {path}
    if sco_type == "x509-certificate" and not rest:
        return f"x509-fingerprint-{algorithm}", values[path]
    if sco_type != "file":
        return None
    if not rest:
        return algorithm, values[path]
    if rest == {"file:name"}:
        return f"filename|{algorithm}", f"{values['file:name']}|{values[path]}"
    return None


def sco_comparisons(scos: Sequence[Mapping[str, Any]]) -> list[Comparison] | None:
    """The comparisons equivalent to an observed-data's SCOs (first is the main one)."""
    if not scos:
        return None
    by_id = {str(sco.get("id")): sco for sco in scos}
    main = scos[0]
    sco_type = str(main.get("type"))
    found: list[Comparison] = []
    for prop, value in main.items():
        if prop in ("value", "name", "subject", "key", "number") and isinstance(value, str | int):
            found.append((f"{sco_type}:{prop}", value))
        elif prop == "hashes" and isinstance(value, dict):
            found.extend((hash_path(alg, sco_type), str(v)) for alg, v in value.items())
        elif prop in ("src_port", "dst_port") and isinstance(value, int):
            found.append((f"{sco_type}:{prop}", value))
        elif prop in ("src_ref", "dst_ref") and str(value) in by_id:
            found.append((f"{sco_type}:{prop}.value", str(by_id[str(value)].get("value"))))
        elif prop == "values" and isinstance(value, list) and len(value) == 1:
            found.extend((f"{sco_type}:values[*].{k}", str(v)) for k, v in value[0].items())
        elif prop == "body_multipart" and isinstance(value, list) and len(value) == 1:
            target = by_id.get(str(value[0].get("body_raw_ref")), {})
            found.append((ATTACHMENT_PATH, str(target.get("name"))))
        elif prop == "resolves_to_refs" and isinstance(value, list) and len(value) == 1:
            target = by_id.get(str(value[0]), {})
            found.append((f"{sco_type}:resolves_to_refs[*].value", str(target.get("value"))))
    return found or None
