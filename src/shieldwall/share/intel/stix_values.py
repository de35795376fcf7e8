"""Values STIX gives a form to that the object model does not check (issue 14, STIX out).

``stix2.parse`` accepts a domain name that is no host name, an e-mail address without
``@``, ``payload_bin`` that is no base64, ``languages`` that are no RFC 5646 tags and a
random-id observable whose id is no UUIDv4; stix2-validator refuses every one of them.
These checks run where values come in (the MISP converter, every publishing path), so what
is stored, and so every export, passes the validator object by object.
"""

from __future__ import annotations

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
