"""The one identity of an e-mail address: every spelling of it maps to the same key.

An address is one person however it is written, so ``Pat@Alpha.example``,
``pat@alpha.example`` and ``ｐａｔ@ａｌｐｈａ.example`` (full-width) must not become three
people, nor log in or throttle as three. The key is the whole address, surrounding
white space removed, under Unicode NFKC_Casefold (NFKC, case folding, NFKC again, until
it no longer changes): compatibility forms fold to their plain letters, and case folds
fully (``ß`` and ``ss`` are one, as are ``K`` and the Kelvin sign).

Decided on purpose: the local part is folded too. RFC 5321 lets a mail server tell
``Pat`` from ``pat``; none that members use does, and telling them apart is exactly what
lets one address be registered twice. A domain's Unicode and ``xn--`` (punycode) forms
are *not* one key: addresses are compared as written, not resolved. The address is kept
as it was given, for display and mail; the key decides identity (a unique index on it,
schema revision 0008), creation, login, the login throttle and every lookup.
"""

from __future__ import annotations

import unicodedata

MAX_KEY_LENGTH = 320
"""Longest key kept: 64 + 1 + 255, the longest address the standards allow."""


def email_key(address: str) -> str:
    """The identity key of ``address`` (idempotent: a key is its own key)."""
    key = address
    for _ in range(4):  # one round almost always suffices; folding converges at once
        nfkc = unicodedata.normalize("NFKC", key)
        folded = unicodedata.normalize("NFKC", nfkc.casefold()).strip()
        if folded == key:
            break
        key = folded
    return key
