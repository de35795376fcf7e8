"""Sanitising MISP free text (``info``, ``comment``, event reports) to plain text (M12).

MISP has had stored XSS through exactly these fields, so Shieldwall keeps them as plain
text: HTML tags are dropped (with the content of ``script``/``style`` elements), entities
are decoded once, and markdown links or images whose target uses an active scheme
(``javascript:``, ``vbscript:``, ``data:``) lose the target. Renderers escape on output as
well; this is the second wall, so that a stored object is inert wherever it goes next.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_DROP_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template"})
_ACTIVE_LINK = re.compile(
    r"\]\(\s*(?:<\s*)?(?:javascript|vbscript|data|file)\s*:[^)]*\)", re.IGNORECASE
)
"""``](`` then a scheme, ``<`` and spaces allowed between. Written so that each space can
be read one way only: the former ``<?`` between two runs of spaces took 10 s on ``](`` and
20,000 spaces of a member's text (quadratic backtracking)."""
_ACTIVE_SCHEME = re.compile(r"(?:javascript|vbscript)\s*:", re.IGNORECASE)
_MAX_PASSES = 4
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _TextOnly(HTMLParser):
    """Collects character data outside dropped elements; tags themselves vanish."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_CONTENT:
            self._dropping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_CONTENT and self._dropping:
            self._dropping -= 1

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            self.parts.append(data)


def sanitise_text(text: str) -> str:
    """Plain, inert text: no tags, no active link targets, no control characters.

    Stripping repeats until nothing changes (at most a few passes), so markup hidden
    behind entities (``&lt;script&gt;``) cannot reappear after one decoding.
    """
    for _ in range(_MAX_PASSES):
        if "<" not in text and "&" not in text:
            break
        parser = _TextOnly()
        parser.feed(text)
        parser.close()
        stripped = "".join(parser.parts)
        if stripped == text:
            break
        text = stripped
    else:
        text = text.replace("<", "").replace(">", "")
    text = _ACTIVE_LINK.sub("]()", text)
    text = _ACTIVE_SCHEME.sub("blocked:", text)
    return _CONTROL.sub("", text)
