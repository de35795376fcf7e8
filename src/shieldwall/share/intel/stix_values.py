"""Values STIX gives a form to that the object model does not check (issue 14, STIX out).

``stix2.parse`` accepts a domain name that is no host name, an e-mail address without
``@``, ``payload_bin`` that is no base64, ``languages`` that are no RFC 5646 tags and a
random-id observable whose id is no UUIDv4; stix2-validator refuses every one of them.
These checks run where values come in (the MISP converter, every publishing path), so what
is stored, and so every export, passes the validator object by object.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import idna


def host_name_error(value: str) -> str:
    """Why ``value`` is not an (internationalised) host name ("" when it is one)."""
    try:
        idna.encode(value)
    except (idna.IDNAError, UnicodeError) as error:
        return f"{value[:80]!r} is not a host name ({error})"
    return ""


def email_error(value: str) -> str:
    """Why ``value`` is not an e-mail address ("" when it is one)."""
    return "" if "@" in value else f"{value[:80]!r} is not an e-mail address (no @)"


HIVES = {
    "hklm": "HKEY_LOCAL_MACHINE",
    "hkcc": "HKEY_CURRENT_CONFIG",
    "hkcr": "HKEY_CLASSES_ROOT",
    "hkcu": "HKEY_CURRENT_USER",
    "hku": "HKEY_USERS",
}
"""Hive abbreviations, which STIX forbids in ``windows-registry-key:key``."""


def full_registry_key(key: str) -> str:
    """The key with an abbreviated hive written out (``HKLM\\\\x`` → ``HKEY_LOCAL_MACHINE\\\\x``).

    MISP users write ``HKLM``; STIX requires the full hive name. Writing it out changes no
    meaning, so converters do it rather than refuse the key.
    """
    hive, sep, rest = key.partition("\\")
    full = HIVES.get(hive.lower())
    return f"{full}{sep}{rest}" if full else key


def registry_key_error(key: str) -> str:
    """Why ``key`` may not be stored as a STIX registry key ("" when it may)."""
    if key.partition("\\")[0].lower() in HIVES:
        return f"{key[:80]!r} abbreviates its hive; STIX requires the full name"
    return ""


_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{1,8})*$")
_UUID4_TYPES = {
    "artifact": ("hashes", "payload_bin"),
    "email-message": ("from_ref", "subject", "body"),
    "user-account": ("account_type", "user_id", "account_login"),
    "windows-registry-key": ("key", "values"),
    "x509-certificate": ("hashes", "serial_number"),
    "process": (),
}
"""Observables whose id is a UUIDv4 when none of these (contributing) properties is given."""


def value_errors(obj: Mapping[str, Any]) -> Iterator[str]:
    """What stix2-validator would refuse in the object's values (see the module doc)."""
    stix_type = obj.get("type")
    value = obj.get("value")
    if stix_type == "domain-name" and isinstance(value, str):
        yield from _nonempty(host_name_error(value))
    if stix_type == "email-addr" and isinstance(value, str):
        yield from _nonempty(email_error(value))
    if stix_type == "windows-registry-key" and isinstance(obj.get("key"), str):
        yield from _nonempty(registry_key_error(str(obj["key"])))
    payload = obj.get("payload_bin")
    if payload is not None and not _is_base64(payload):
        yield "payload_bin is not base64"
    languages = obj.get("languages") if stix_type == "software" else None
    for language in languages if isinstance(languages, list) else ():
        if not (isinstance(language, str) and _LANGUAGE.match(language)):
            yield f"languages: {str(language)[:40]!r} is not an RFC 5646 language tag"
    lang = obj.get("lang")
    if lang is not None and not (isinstance(lang, str) and _LANGUAGE.match(lang)):
        yield f"lang: {str(lang)[:40]!r} is not an RFC 5646 language tag"
    contributing = _UUID4_TYPES.get(str(stix_type))
    if contributing is not None and not any(key in obj for key in contributing):
        yield from _nonempty(_uuid4_error(obj.get("id")))


def _nonempty(problem: str) -> Iterator[str]:
    if problem:
        yield problem


def _is_base64(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _uuid4_error(ident: object) -> str:
    text = str(ident)
    try:
        version = uuid.UUID(text.partition("--")[2]).version
    except ValueError:
        return ""  # the identifier check names it
    if version != 4:
        return f"{text[:80]} must use a UUIDv4: it has no id-contributing property"
    return ""
