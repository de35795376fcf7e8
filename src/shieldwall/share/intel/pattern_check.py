"""A fast check for the indicator patterns most feeds are made of.

Validating an indicator with ``stix2.parse`` costs about 0.36 ms, and three quarters of that
is ``stix2-patterns`` building an ANTLR parse tree for the pattern. Most indicators in
feeds have a pattern of one shape: one comparison of one observable's value with a plain
string, such as ``[ipv4-addr:value = '203.0.113.7']`` or
``[file:hashes.'SHA-256' = '…']``. :func:`is_plain_pattern` recognises that shape with a
regular expression. It is deliberately narrow:
- only listed object paths;
- literals of printable ASCII without quotes or backslashes, so no escape is involved;
- hash values checked with ``stix2-patterns``' own hash table, in the same way.

Whatever it does not recognise goes to ``stix2-patterns`` as before, and so does every error
message. A hypothesis test checks the one direction that matters: every pattern accepted
here is one that ``stix2-patterns`` accepts.
"""

from __future__ import annotations

import re

from stix2patterns.v21.object_validator import HASHES_REGEX

_PLAIN = re.compile(
    r"\[ *(?P<type>[a-z0-9-]+):(?P<path>[a-z_]+(?:\.(?:[A-Za-z0-9_]+|'[A-Za-z0-9-]+'))?)"
    r" *= *'(?P<value>[\x20-\x26\x28-\x5b\x5d-\x7e]*)' *\]"
)
"""One comparison; the value is printable ASCII other than ``'`` (0x27) and ``\\`` (0x5c)."""

PLAIN_PATHS = frozenset(
    {
        ("ipv4-addr", "value"),
        ("ipv6-addr", "value"),
        ("domain-name", "value"),
        ("url", "value"),
        ("email-addr", "value"),
        ("mac-addr", "value"),
        ("autonomous-system", "name"),
        ("file", "name"),
        ("file", "hashes.MD5"),
        ("file", "hashes.'MD5'"),
        ("file", "hashes.'SHA-1'"),
        ("file", "hashes.'SHA-256'"),
        ("file", "hashes.'SHA-512'"),
        ("file", "hashes.SHA1"),
        ("file", "hashes.SHA256"),
        ("file", "hashes.SHA512"),
    }
)


def is_plain_pattern(pattern: str) -> bool:
    """True for a one-comparison pattern of a listed path that ``stix2-patterns`` accepts."""
    return plain_comparison(pattern) is not None


def plain_comparison(pattern: str) -> tuple[str, tuple[str, ...], str] | None:
    """Object type, path steps and value of a plain pattern; None for any other pattern.

    The steps are those ``stix2-patterns``' inspector reports (quotes of a hash name
    removed), so a plain pattern is indexed exactly as a parsed one would be.
    """
    match = _PLAIN.fullmatch(pattern)
    if match is None or (match["type"], match["path"]) not in PLAIN_PATHS:
        return None
    path = match["path"]
    steps = tuple(step.strip("'") for step in path.split(".", 1))
    if path.startswith("hashes."):
        algorithm = steps[1].upper().replace("-", "")
        expected = HASHES_REGEX.get(algorithm)
        if expected is None or re.match(expected[0], match["value"]) is None:
            return None
    return match["type"], steps, match["value"]
