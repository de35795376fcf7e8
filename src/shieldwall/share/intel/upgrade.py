"""STIX 2.0 objects are upgraded to 2.1 on the way in, never served as 2.1 unchanged.

STIX 2.1 (section 3.2) reads a domain or relationship object without ``spec_version`` as
STIX 2.0 (cyber observables are the exception: without it they are 2.1). Shieldwall
stores and serves 2.1 only, so such an object (or one saying ``"spec_version": "2.0"``)
is rewritten as its 2.1 form before validation, on every path, with these defaults:

* ``spec_version`` becomes ``"2.1"``;
* an indicator gains ``pattern_type: "stix"`` (2.0 patterns are STIX patterns, and the
  2.1 grammar reads them);
* a malware gains ``is_family: true`` (2.0 malware named families and variants alike;
  stix2-elevator and OpenCTI choose the same);
* the 2.0 ``labels`` of indicator, malware, tool, threat-actor and report are copied to
  the 2.1 open vocabularies (``indicator_types`` …) when those are absent; the labels stay;
* a pinned TLP marking definition becomes its canonical 2.1 content (the 2.0 one has no
  ``name``).

Everything else is kept. The upgraded object is what is validated and stored, so its
body is 2.1 and passes stix2-validator on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shieldwall.policy.markings import PINNED

OBSERVABLE_TYPES = frozenset(
    {
        "artifact",
        "autonomous-system",
        "directory",
        "domain-name",
        "email-addr",
        "email-message",
        "file",
        "ipv4-addr",
        "ipv6-addr",
        "mac-addr",
        "mutex",
        "network-traffic",
        "process",
        "software",
        "url",
        "user-account",
        "windows-registry-key",
        "x509-certificate",
    }
)
"""Cyber observables: without ``spec_version`` they are 2.1 already (STIX 2.1, 3.2)."""

_ONLY_21 = frozenset({"extension-definition", "language-content", "bundle"})
_TYPES_FROM_LABELS: Mapping[str, str] = {
    "indicator": "indicator_types",
    "malware": "malware_types",
    "tool": "tool_types",
    "threat-actor": "threat_actor_types",
    "report": "report_types",
}


def is_stix20(obj: Mapping[str, Any]) -> bool:
    """True for an object STIX 2.1 reads as 2.0."""
    stix_type = obj.get("type")
    if not isinstance(stix_type, str) or stix_type in OBSERVABLE_TYPES | _ONLY_21:
        return False
    return bool(obj.get("spec_version", "2.0") == "2.0")


def upgraded(obj: dict[str, Any]) -> dict[str, Any]:
    """The 2.1 form of a 2.0 object (see the module docstring); others are returned as is."""
    if not is_stix20(obj):
        return obj
    pinned = PINNED.get(str(obj.get("id")))
    if obj.get("type") == "marking-definition" and pinned is not None:
        return dict(pinned.canonical)
    new = {**obj, "spec_version": "2.1"}
    stix_type = str(obj["type"])
    if stix_type == "indicator":
        new.setdefault("pattern_type", "stix")
    if stix_type == "malware":
        new.setdefault("is_family", True)
    vocabulary = _TYPES_FROM_LABELS.get(stix_type)
    labels = obj.get("labels")
    if vocabulary and isinstance(labels, list) and labels:
        new.setdefault(vocabulary, list(labels))
    return new
